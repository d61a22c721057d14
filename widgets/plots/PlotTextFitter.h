#pragma once

#include "plots/QCustomPlotInclude.h"

#include <QFont>
#include <QString>

// Keeps a plot's titles and axis labels inside the plot: text wider than the space it has is wrapped at spaces onto
// more lines, and unwrapped again when the plot grows; a legend below the axes wraps onto more rows the same way. The text a caller set is remembered, so setting a new title
// later works as before. Plots that follow the theme (Theme::follow) are fitted after every layout; a change
// queues one more replot, since the new line count moves the margins (at most a few passes).
class PlotTextFitter {
public:
    static void follow(QCustomPlot* plot);
    // Wraps what does not fit the current layout; true when some text changed.
    static bool fit(QCustomPlot* plot);
    // Lays the plot out at `size` as QCustomPlot::toPainter does, into nothing, and fits its text, until fitting no longer
    // changes the layout (at most four passes): an export then draws text fitted to its own size, not the screen's.
    static void settle(QCustomPlot* plot, const QSize& size);
    // Wraps a text item on the data (a reference line's label) to `width` px, or unwraps it when it has room again;
    // the caller's text is remembered as for titles. True when the shown text changed.
    static bool fitItem(QCPItemText* item, int width);
    // `text` greedily wrapped at spaces so no line is wider than `width` px in `font` (existing line breaks kept;
    // a single word wider than `width` stays whole).
    static QString wrap(const QString& text, const QFont& font, int width);
};
