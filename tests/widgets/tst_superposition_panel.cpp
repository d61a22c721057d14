// Offscreen tests of the superposition panel: it trains, every view gets data, selection is shared, long training
// pauses/resumes/stops, and a configuration the memory guard rejects shows a message instead of crashing.
#include "panels/superposition/SuperpositionPanel.h"
#include "panels/superposition/ToyControlsWidget.h"
#include "plots/FeatureArrowsPlot.h"
#include "plots/QCustomPlotInclude.h"

#include <QLabel>
#include <QSignalSpy>
#include <QtTest>

class TestSuperpositionPanel : public QObject {
    Q_OBJECT
private:
    static featurescope::ToyPreset quickPreset(int steps)
    {
        featurescope::ToyPreset p = featurescope::ToyPreset::all().front(); // the intro sweep, n=5, m=2, 8 instances
        p.steps = steps;
        return p;
    }
    static int drawnThings(QCustomPlot* plot)
    {
        return plot->plottableCount() + plot->itemCount() + plot->graphCount();
    }

private Q_SLOTS:
    void trainsAndFillsEveryView()
    {
        SuperpositionPanel panel;
        panel.resize(1280, 800);
        panel.controls()->applyPreset(quickPreset(3000));
        panel.startTraining();
        panel.waitForTraining();
        QVERIFY(panel.result());
        QCOMPARE(panel.result()->stepsDone, 3000);
        QCOMPARE(panel.result()->model.instanceCount(), 8);
        QVERIFY(panel.result()->snapshots.size() > 5);
        for (const QString& name : panel.figureNames()) {
            if (name == QLatin1String("phase-diagram") || name.startsWith(QLatin1String("scale-")))
                continue; // computed on request: the phase diagram below, the scale lab in its own test
            auto* plot = qobject_cast<QCustomPlot*>(panel.figureWidget(name));
            QVERIFY2(plot, qPrintable(name));
            QVERIFY2(drawnThings(plot) > 0, qPrintable(name + QStringLiteral(" has nothing drawn")));
        }
        QVERIFY(!panel.figureWidget(QStringLiteral("no-such-figure")));
    }

    void sparsestInstanceIsAPentagonInTheSummary()
    {
        SuperpositionPanel panel;
        panel.controls()->applyPreset(quickPreset(6000));
        panel.startTraining();
        panel.waitForTraining();
        panel.setSelectedInstance(7); // p = 0.05
        auto* summary = panel.findChild<QLabel*>(QStringLiteral("superpositionSummary"));
        QVERIFY(summary);
        QVERIFY2(summary->text().contains(QStringLiteral("pentagon")), qPrintable(summary->text()));
    }

    void selectionIsShared()
    {
        SuperpositionPanel panel;
        panel.controls()->applyPreset(quickPreset(500));
        panel.startTraining();
        panel.waitForTraining();
        auto* arrows = qobject_cast<FeatureArrowsPlot*>(panel.figureWidget(QStringLiteral("feature-arrows")));
        QVERIFY(arrows);
        Q_EMIT arrows->featureClicked(3);
        QCOMPARE(panel.selectedFeature(), 3);
        Q_EMIT arrows->featureClicked(3); // clicking the selected feature again clears the selection
        QCOMPARE(panel.selectedFeature(), -1);
        panel.setSelectedFeature(1);
        auto* summary = panel.findChild<QLabel*>(QStringLiteral("superpositionSummary"));
        QVERIFY(summary->text().contains(QStringLiteral("feature 1")));
    }

    void pauseResumeStop()
    {
        SuperpositionPanel panel;
        panel.controls()->applyPreset(quickPreset(10000000));
        QSignalSpy finished(&panel, &Panel::workFinished);
        panel.startTraining();
        QTRY_VERIFY(panel.result() && panel.result()->stepsDone > 0);
        QVERIFY(panel.isBusy());
        panel.cancelWork();
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY(!panel.isBusy());
        const int stopped = panel.result()->stepsDone;
        QVERIFY(stopped > 0 && stopped < 10000000);
    }

    void phaseDiagramComputes()
    {
        SuperpositionPanel panel;
        panel.resize(1280, 800);
        panel.computePhaseDiagram();
        panel.waitForPhaseDiagram();
        auto* plot = qobject_cast<QCustomPlot*>(panel.figureWidget(QStringLiteral("phase-diagram")));
        QVERIFY(plot);
        QVERIFY(drawnThings(plot) > 0);
    }

    void memoryGuardShowsAMessage()
    {
        SuperpositionPanel panel;
        featurescope::ToyPreset huge = quickPreset(100);
        huge.features = 5000;
        huge.hidden = 1000;
        huge.instances = 256;
        panel.controls()->applyPreset(huge);
        panel.startTraining();
        auto* status = panel.findChild<QLabel*>(QStringLiteral("trainingStatus"));
        QVERIFY(status);
        QVERIFY2(status->text().contains(QStringLiteral("MB")), qPrintable(status->text()));
        QVERIFY(!panel.isBusy());
    }
};

QTEST_MAIN(TestSuperpositionPanel)
#include "tst_superposition_panel.moc"
