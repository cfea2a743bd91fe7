namespace Recur.Tensors;

/// <summary>
/// Where the micro-kernel finds the micro-panels of a B block: either packed (NR floats per depth
/// step, panel after panel) or read in place from the caller's matrix when B is stored [k, n], so
/// its rows are already contiguous along the panel width. In both cases a partial last panel is
/// packed and zero-padded, at <see cref="Edge"/>.
/// </summary>
internal readonly unsafe struct GemmPanels
{
    /// <summary>The first full micro-panel.</summary>
    public readonly float* First;

    /// <summary>Distance from one full micro-panel to the next.</summary>
    public readonly nint PanelStride;

    /// <summary>Distance from one depth step to the next inside a full micro-panel.</summary>
    public readonly nint Step;

    /// <summary>The packed last micro-panel when the block is narrower than a whole number of panels (its step is the panel width).</summary>
    public readonly float* Edge;

    public GemmPanels(float* first, nint panelStride, nint step, float* edge)
    {
        First = first;
        PanelStride = panelStride;
        Step = step;
        Edge = edge;
    }
}
