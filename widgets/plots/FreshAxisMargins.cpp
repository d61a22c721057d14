#include "plots/FreshAxisMargins.h"
#include "plots/QCustomPlotInclude.h"

void FreshAxisMargins::install(QCustomPlot* plot)
{
    QObject::connect(plot, &QCustomPlot::beforeReplot, plot, [plot] { invalidate(plot); });
}

void FreshAxisMargins::invalidate(QCustomPlot* plot)
{
    for (QCPAxisRect* rect : plot->axisRects())
        for (QCPAxis* axis : rect->axes()) {
            // setPadding is the public setter that clears the margin cache and nothing else.
            const int padding = axis->padding();
            axis->setPadding(padding + 1);
            axis->setPadding(padding);
        }
}
