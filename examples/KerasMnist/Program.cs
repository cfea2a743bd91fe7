// The Keras form of the TensorFlow MNIST LSTM tutorial, line by line in C# with Recur.
// Usage: dotnet run -c Release --project examples/KerasMnist [epochs] [output directory]
//
// The tutorial's Python is quoted above each line it becomes. Two slips in it are fixed, not copied:
//   1. It sets timesteps = 28, num_input = 1, but a 784-pixel image does not fit 28 steps of 1 pixel
//      (28 × 1 = 28). We read each image as 28 rows of 28 pixels (28 × 28 = 784), as the tutorial's
//      TensorFlow 1 version does; 784 steps of 1 pixel would also hold it, 28 times slower.
//   2. It feeds the logits of a plain Dense(10) to 'categorical_crossentropy', which expects
//      probabilities (from_logits=False). We keep the Dense(10) logits and use the from-logits loss,
//      which is the numerically stable form; the alternative is Dense(10, activation='softmax').
using System.Diagnostics;
using Recur.Data;
using Recur.IO;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;

int epochs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2;
string output = args.Length > 1 ? args[1] : Path.Combine("runs", "keras-mnist");

// learning_rate = 0.001; batch_size = 128; num_classes = 10
const double learningRate = 0.001;
const int batchSize = 128;
const int numClasses = 10;

// timesteps = 28; num_input = 1          ← slip 1: 28 × 1 cannot hold a 28 × 28 image
const int timesteps = 28;                 // 28 rows per image ...
const int numInput = 28;                  // ... of 28 pixels each
const int numHidden = 128;

// (x_train, y_train), (x_test, y_test) = mnist.load_data()
// x_train = x_train.reshape(-1, timesteps, num_input) / 255; y_train = to_categorical(y_train, num_classes)
MnistDataSets mnist = Mnist.ReadDataSets(new MnistOptions { ValidationSize = 0 }); // all 60,000 training images; pixels already in [0, 1]
Tensor xTrain = mnist.Train.Images.Reshape(mnist.Train.Count, timesteps, numInput);
Tensor yTrain = mnist.Train.OneHotLabels;
Tensor xTest = mnist.Test.Images.Reshape(mnist.Test.Count, timesteps, numInput);
Tensor yTest = mnist.Test.OneHotLabels;

// model = Sequential()
var model = new Sequential(seed: 42)
{
    // model.add(LSTM(num_hidden, input_shape=(timesteps, num_input)))
    new LstmLayer(numHidden) { InputShape = [timesteps, numInput] },
    // model.add(Dense(num_classes))      ← logits: no softmax here, so the loss below takes logits
    new DenseLayer(numClasses),
};
Console.Write(model.Summary());

// model.compile(loss='categorical_crossentropy', optimizer=Adam(lr=learning_rate), metrics=['accuracy'])
//                                       ← slip 2: that loss expects probabilities; ours are logits
model.Compile(new CategoricalCrossentropy(fromLogits: true), new Adam(learningRate), ["accuracy"]);

// model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs,
//           validation_data=(x_test, y_test), callbacks=[TensorBoard(log_dir='./logs')])
string logDir = Path.Combine(output, "logs");
var clock = Stopwatch.StartNew();
History history = model.Fit(xTrain, yTrain, batchSize: batchSize, epochs: epochs,
    validationData: (xTest, yTest), callbacks: [new TensorBoard(logDir)]);
Console.WriteLine($"Trained {epochs} epochs in {clock.Elapsed.TotalSeconds:F1} s.");

// score = model.evaluate(x_test, y_test); print('Test accuracy:', score[1])
BatchResult score = model.Evaluate(xTest, yTest);
Console.WriteLine($"Test loss: {score.Loss:F4}");
Console.WriteLine($"Test accuracy: {score.Accuracy:F4}");

// model.save(...): config.json, model.safetensors and optimizer.safetensors; Sequential.Load reads them back.
string modelDir = Path.Combine(output, "model");
model.Save(modelDir);

// For tools/check_lstm_roundtrip.py: the first 100 test images and Recur's logits for them.
Tensor x100 = Tensor.FromArray(xTest.Data.AsSpan(0, 100 * timesteps * numInput), 100, timesteps, numInput);
SafeTensors.Save(Path.Combine(output, "predictions.safetensors"), new Dictionary<string, Tensor>
{
    ["x"] = x100,
    ["logits"] = model.Predict(x100),
});
Console.WriteLine($"Saved the model in {modelDir}, TensorBoard logs in {logDir} (train/, validation/), predictions.safetensors in {output}.");
Console.WriteLine($"val_accuracy by epoch: {string.Join(", ", history["val_accuracy"].Select(a => a.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}");
