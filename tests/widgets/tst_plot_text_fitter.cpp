// PlotTextFitter's legends: a legend below the axes wraps onto more rows when its entries do not fit side by side,
// and back when the plot grows; and the layout inspector reports a plot squeezed below its layout's minimum.
#include "plots/LogScatterPlot.h"
#include "plots/PlotTextFitter.h"
#include "widgets/LayoutInspector.h"

#include <QApplication>
#include <QTest>

namespace {

// A plot with a legend below the axes of three long entries (as the scale lab's "features per dimension" plot).
void addLongEntries(QCustomPlot* plot)
{
    for (const char* name : {"Dᵢ of each feature", "mean Dᵢ over the features", "features per dimension ‖cW‖²/m"}) {
        QCPGraph* graph = plot->addGraph();
        graph->setName(QString::fromUtf8(name));
        graph->setData(QVector<double>{1, 2, 3}, QVector<double>{1, 2, 3});
    }
}

void layOut(QCustomPlot& plot, const QSize& size)
{
    plot.resize(size);
    if (!plot.isVisible()) {
        plot.setAttribute(Qt::WA_DontShowOnScreen);
        plot.show();
    }
    for (int pass = 0; pass < 5; ++pass) { // the fitter queues a replot when it changes the layout
        plot.replot(QCustomPlot::rpImmediateRefresh);
        QApplication::processEvents();
    }
}

} // namespace

class TestPlotTextFitter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void legendWrapsOntoRowsThatFit()
    {
        LogScatterPlot plot;
        addLongEntries(&plot);
        PlotTextFitter::follow(&plot);
        QCOMPARE(plot.legend->wrap(), 3);
        layOut(plot, QSize(460, 360)); // half of the scale lab at a 1280 px window
        QVERIFY2(plot.legend->wrap() < 3, qPrintable(QString::number(plot.legend->wrap())));
        QStringList problems;
        LayoutInspector::inspectPlot(&plot, problems);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));

        layOut(plot, QSize(1400, 500)); // room again: the caller's three columns come back
        QCOMPARE(plot.legend->wrap(), 3);
    }

    // The inspector must catch what it is for: a plot given less room than its layout's minimum, with its legend cut.
    void inspectorCatchesAPlotBelowItsMinimum()
    {
        LogScatterPlot plot;
        addLongEntries(&plot);
        plot.setLegendColumns(3);
        layOut(plot, QSize(460, 360)); // not following the fitter: the legend keeps three columns
        QStringList problems;
        LayoutInspector::inspectPlot(&plot, problems);
        QVERIFY2(problems.join(QLatin1Char('\n')).contains(QStringLiteral("below its layout's minimum")),
                 qPrintable(problems.join(QLatin1Char('\n'))));
        QVERIFY2(problems.join(QLatin1Char('\n')).contains(QStringLiteral("legend")), qPrintable(problems.join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestPlotTextFitter)
#include "tst_plot_text_fitter.moc"
