#pragma once

#include "plots/QCustomPlotInclude.h"

#include <QColor>
#include <QFont>

// Colours and fonts shared by the superposition plots, so a feature has the same colour in every view and every
// figure reads the same on a slide. The colours themselves come from ColorMaps (the one registry): categorical
// Okabe-Ito, a blue-white-red diverging map for signed values in [-1, 1] and viridis for [0, 1].
class FeaturePalette {
public:
    // Colour of feature i (i >= 0); a negative index gives the "no feature" grey.
    static QColor featureColor(int i);
    // Blue-white-red (ColorBrewer RdBu) for data in [-1, 1]: set the colour map's data range to [-1, 1].
    static QCPColorGradient diverging();
    // Viridis (dark purple -> yellow) for data in [0, 1].
    static QCPColorGradient sequential();
    // The sequential map at t in [0, 1] (clamped); NaN gives nanColor().
    static QColor sequentialColor(double t);
    // The diverging map at v in [-1, 1] (clamped); NaN gives nanColor().
    static QColor divergingColor(double v);

    static QColor droppedColor();    // features the model did not learn (norm below threshold)
    static QColor nanColor();        // undefined values
    static QColor selectionColor();  // outlines and halos of the selected feature
    static QColor referenceColor();  // reference lines, unit circles, faint guides

    // Point sizes: tick labels 10, axis labels 11, titles 12 (bold). Never below 10.
    static QFont font(double pointSize = 10.0, bool bold = false);
    // Tick/label fonts, light dotted grid, no sub-grid.
    static void styleAxis(QCPAxis* axis, const QString& label = QString());
};
