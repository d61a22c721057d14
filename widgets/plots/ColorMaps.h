#pragma once

#include "plots/QCustomPlotInclude.h"

#include <QColor>
#include <QList>

// The one registry of colours for data: every plot takes its maps and categorical colours from here, so a value
// or a category has the same colour in every figure, and all of them are perceptual and colour-blind safe.
//  - sequential: viridis (dark purple #440154 at 0 -> yellow #FDE725 at 1), for magnitudes in [0, 1];
//  - diverging: ColorBrewer RdBu, blue #2166AC at -1, near-white #F7F7F7 at 0, red #B2182B at +1, for signed data
//    such as WᵀW (saturated but never near-black at the ends, so the diagonal of a Gram matrix reads as red);
//  - categorical: Okabe & Ito (2008), sixteen more colours far from them, then golden-angle hues beyond 24.
// Theme-independent on purpose: an exported figure means the same thing in light, dark and presentation.
class ColorMaps {
public:
    enum class OkabeIto { Blue, Vermillion, BluishGreen, Orange, ReddishPurple, SkyBlue, Black, Yellow };

    static QColor okabeIto(OkabeIto which);
    // The eight Okabe-Ito colours in enum order (the most distinct on white first; black and yellow last).
    static QList<QColor> okabeItoPalette();
    // Category i >= 0: Okabe-Ito for i < 8, sixteen chosen colours, then golden-angle hue steps; a negative index
    // gives neutralColor().
    static QColor categorical(int i);

    // Viridis at t in [0, 1] (clamped); NaN gives nanColor().
    static QColor sequential(double t);
    // RdBu at v in [-1, 1] (clamped); NaN gives nanColor().
    static QColor diverging(double v);
    // The same maps as QCustomPlot gradients over [0, 1]; set the colour map's data range to [0, 1] for the
    // sequential map and to a symmetric [-a, a] for the diverging one so that zero stays white.
    static QCPColorGradient sequentialGradient();
    static QCPColorGradient divergingGradient();

    static QColor nanColor();     // undefined values
    static QColor neutralColor(); // "no category"
};
