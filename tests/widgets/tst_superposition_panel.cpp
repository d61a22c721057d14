// Offscreen tests of the superposition panel: it trains, every view gets data, selection is shared, long training
// pauses/resumes/stops, and a configuration the memory guard rejects shows a message instead of crashing.
#include "common/Theme.h"
#include "panels/superposition/PhaseDiagramTab.h"
#include "panels/superposition/SuperpositionPanel.h"
#include "panels/superposition/ToyControlsWidget.h"
#include "panels/superposition/ToyRunSummary.h"
#include "plots/FeatureArrowsPlot.h"
#include "plots/NormBarsPlot.h"
#include "plots/PhaseDiagramPlot.h"
#include "geometry/FeatureMeasures.h"
#include "toy/ToyTrainingResult.h"
#include "experiments/ToyPreset.h"
#include "session/PanelState.h"
#include "plots/QCustomPlotInclude.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <QComboBox>
#include <QLabel>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSlider>
#include <QTabBar>
#include <QTabWidget>
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

    // Choosing a preset runs it, and the previous experiment's figures leave at once (the n=400 preset once stood
    // beside the n=20 figures until the user pressed Train).
    void choosingAPresetReplacesTheFigures()
    {
        SuperpositionPanel panel;
        panel.controls()->applyPreset(quickPreset(300));
        panel.startTraining();
        panel.waitForTraining();
        QCOMPARE(panel.result()->model.config().features, 5);
        auto* presets = panel.findChild<QComboBox*>(QStringLiteral("presetCombo"));
        QVERIFY(presets);
        const auto& all = featurescope::ToyPreset::all();
        const auto sticky = std::find_if(all.begin(), all.end(), [](const auto& p) { return p.id == "sticky"; });
        QVERIFY(sticky != all.end());
        presets->setCurrentIndex(int(sticky - all.begin()));
        // Nothing of the n=5 run is shown any more, whether or not the new run has reported yet.
        QVERIFY(!panel.result() || panel.result()->model.config().features == 400);
        auto* summary = panel.findChild<QLabel*>(QStringLiteral("superpositionSummary"));
        QVERIFY2(!summary->text().contains(QStringLiteral("step 300/300")), qPrintable(summary->text()));
        QVERIFY(panel.isBusy());
        Q_EMIT panel.controls()->stopRequested();
        panel.waitForTraining();
        QVERIFY(!panel.result() || panel.result()->model.config().features == 400);
    }

    // Replaying a snapshot, the summary names the snapshot's step and its numbers, not the last step's.
    void replayShowsTheSnapshotStep()
    {
        SuperpositionPanel panel;
        panel.controls()->applyPreset(quickPreset(2000));
        panel.startTraining();
        panel.waitForTraining();
        auto* slider = panel.findChild<QSlider*>(QStringLiteral("replaySlider"));
        auto* summary = panel.findChild<QLabel*>(QStringLiteral("superpositionSummary"));
        QVERIFY(slider && summary);
        QVERIFY(panel.result()->snapshots.size() >= 3);
        QCOMPARE(slider->tickPosition(), QSlider::TicksBelow);
        QVERIFY(summary->text().startsWith(QStringLiteral("step 2000/2000")));
        slider->setValue(1);
        const int step = panel.result()->snapshots[1].step;
        QVERIFY(step < 2000);
        QVERIFY2(summary->text().startsWith(QStringLiteral("step %1/2000").arg(step)), qPrintable(summary->text()));
        slider->setValue(slider->maximum());
        QVERIFY(summary->text().startsWith(QStringLiteral("step 2000/2000")));
    }

    // The summary line wraps: a long one never raises the panel's minimum width (the window once grew with it).
    void longSummaryDoesNotWidenThePanel()
    {
        SuperpositionPanel panel;
        panel.resize(1280, 800);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        auto* summary = panel.findChild<QLabel*>(QStringLiteral("superpositionSummary"));
        QVERIFY(summary);
        summary->setText(QStringLiteral("step 10000/10000"));
        const int before = panel.minimumSizeHint().width();
        summary->setText(QStringLiteral("step 10000/10000 · loss 0.0361 · features per dimension 3.30 (norms above 1, up "
                                        "to 1.15; unit-norm packing gives at most 2.50) · pentagon · feature 4: "
                                        "‖W‖ = 1.148, D = 0.400 · and more words to make it longer than any screen"));
        QCoreApplication::processEvents();
        QCOMPARE(panel.minimumSizeHint().width(), before);
        QCOMPARE(panel.width(), 1280);
    }

    // For m > 2 the geometry view can be drawn in two chosen hidden dimensions instead of the principal axes, and a
    // session keeps the choice.
    void projectionPlaneIsChosenAndSaved()
    {
        SuperpositionPanel panel;
        auto preset = featurescope::ToyPreset::byId("importance"); // n=20, m=5
        preset.steps = 200;
        panel.controls()->applyPreset(preset);
        panel.startTraining();
        panel.waitForTraining();
        auto* arrows = qobject_cast<FeatureArrowsPlot*>(panel.figureWidget(QStringLiteral("feature-arrows")));
        auto* mode = panel.findChild<QComboBox*>(QStringLiteral("projectionMode"));
        auto* first = panel.findChild<QSpinBox*>(QStringLiteral("projectionFirst"));
        auto* second = panel.findChild<QSpinBox*>(QStringLiteral("projectionSecond"));
        QVERIFY(arrows && mode && first && second);
        QVERIFY(mode->parentWidget()->isVisibleTo(&panel));
        first->setValue(4);
        second->setValue(2);
        mode->setCurrentIndex(1); // hidden dimensions 4 and 2
        const Eigen::MatrixXf& W = panel.result()->model.instance(0).W;
        for (int f = 0; f < 20; ++f) {
            QCOMPARE(float(arrows->tipCoordinates(0, f).x()), W(3, f));
            QCOMPARE(float(arrows->tipCoordinates(0, f).y()), W(1, f));
        }
        featurescope::PanelState state;
        panel.saveState(state);
        SuperpositionPanel restored;
        restored.restoreState(state);
        auto* restoredMode = restored.findChild<QComboBox*>(QStringLiteral("projectionMode"));
        QCOMPARE(restoredMode->currentIndex(), 1);
        QCOMPARE(restored.findChild<QSpinBox*>(QStringLiteral("projectionFirst"))->value(), 4);
        auto* restoredArrows = qobject_cast<FeatureArrowsPlot*>(restored.figureWidget(QStringLiteral("feature-arrows")));
        QCOMPARE(float(restoredArrows->tipCoordinates(0, 7).x()), W(3, 7));
        mode->setCurrentIndex(0); // back to the principal axes: no longer raw dimensions
        QVERIFY(std::abs(arrows->tipCoordinates(0, 0).x() - W(3, 0)) > 1e-6 ||
                std::abs(arrows->tipCoordinates(0, 0).y() - W(1, 0)) > 1e-6);
    }

    // Every view tab is visible at 1280 px: no scroll arrows hide "Scale lab".
    void tabsFitAt1280()
    {
        SuperpositionPanel panel;
        panel.resize(1280, 800);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QTabWidget* tabs = nullptr;
        for (QTabWidget* t : panel.findChildren<QTabWidget*>())
            if (t->count() >= 8)
                tabs = t;
        QVERIFY(tabs);
        QTabBar* bar = tabs->tabBar();
        QVERIFY2(bar->sizeHint().width() <= tabs->width(),
                 qPrintable(QStringLiteral("tabs need %1 px, have %2").arg(bar->sizeHint().width()).arg(tabs->width())));
        QVERIFY(!tabs->tabToolTip(0).isEmpty());
    }

    // A click on a norm bar reports the clicked column's numbers, not those of the instance chosen before.
    void normBarClickSelectsItsInstance()
    {
        SuperpositionPanel panel;
        panel.controls()->applyPreset(quickPreset(500));
        panel.startTraining();
        panel.waitForTraining();
        panel.setSelectedInstance(0);
        auto* norms = qobject_cast<NormBarsPlot*>(panel.figureWidget(QStringLiteral("norm-bars")));
        QVERIFY(norms);
        Q_EMIT norms->barClicked(5, 2);
        QCOMPARE(panel.selectedInstance(), 5);
        QCOMPARE(panel.selectedFeature(), 2);
        auto* summary = panel.findChild<QLabel*>(QStringLiteral("superpositionSummary"));
        const auto measures = featurescope::computeFeatureMeasures(panel.result()->model.instance(5).W);
        const QString norm = QString::number(measures.norms[2], 'f', 3);
        QVERIFY2(summary->text().contains(QStringLiteral("‖W‖ = ") + norm), qPrintable(summary->text()));
        Q_EMIT norms->barClicked(5, 2); // the same bar again clears the selection
        QCOMPARE(panel.selectedFeature(), -1);
        Q_EMIT norms->barClicked(5, 2);
        Q_EMIT norms->barClicked(6, 2); // the same feature in another column moves there and stays selected
        QCOMPARE(panel.selectedInstance(), 6);
        QCOMPARE(panel.selectedFeature(), 2);
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

    // "features per dimension 3.30" for a pentagon of norm 1.15 is more than the 2.5 any unit-norm packing of 5
    // features in 2 dimensions gives: the summary says so, and says nothing for unit norms.
    void featuresPerDimensionExplainsNormsAboveOne()
    {
        featurescope::ToyModelConfig config;
        config.features = 5;
        config.hidden = 2;
        config.featureProbability = featurescope::ToyModelConfig::sharedProbability(5, 1, 0.05);
        featurescope::ToyTrainingResult result;
        result.model = featurescope::ToyModel(config);
        result.training.steps = 100;
        result.stepsDone = 100;
        result.lossHistory = {std::vector<float>(100, 0.04f)};
        auto pentagon = [](float radius) {
            Eigen::MatrixXf W(2, 5);
            for (int k = 0; k < 5; ++k) {
                W(0, k) = radius * float(std::cos(2.0 * std::numbers::pi * k / 5));
                W(1, k) = radius * float(std::sin(2.0 * std::numbers::pi * k / 5));
            }
            return W;
        };
        result.model.instance(0).W = pentagon(1.15f);
        const QString inflated = ToyRunSummary::text(result, 0, -1, -1);
        QVERIFY2(inflated.contains(QStringLiteral("features per dimension 3.31 (norms above 1, up to 1.15; unit-norm "
                                                  "packing gives at most 2.50)")),
                 qPrintable(inflated));
        result.model.instance(0).W = pentagon(1.0f);
        const QString unit = ToyRunSummary::text(result, 0, -1, -1);
        QVERIFY2(unit.contains(QStringLiteral("features per dimension 2.50 · ")), qPrintable(unit));
    }

    // Before the first Compute the empty diagram says what fills it; its reading names the colour the boundaries are
    // drawn in under the current theme (it once said "black lines" on the dark theme, where they are white), and
    // follows a theme change.
    void phaseDiagramHintAndBoundaryColour()
    {
        Theme::apply(*qApp, Theme::Id::Dark);
        PhaseDiagramTab tab;
        auto* plot = tab.plot();
        QVERIFY(plot->isEmptyHintShown());
        QVERIFY2(plot->emptyHint().contains(QStringLiteral("Compute")), qPrintable(plot->emptyHint()));
        if (const QString dir = qEnvironmentVariable("FEATURESCOPE_PLOT_PNG_DIR"); !dir.isEmpty()) // for a look
            QVERIFY(plot->savePng(dir + QStringLiteral("/phase_empty_dark.png"), 640, 420));
        const auto spins = tab.findChildren<QSpinBox*>();
        QCOMPARE(spins.size(), 2);
        spins[0]->setValue(3);   // grid
        spins[1]->setValue(100); // steps
        tab.compute(featurescope::TrainingConfig{});
        tab.waitForFinished();
        QTRY_VERIFY(tab.hasResult());
        QVERIFY(!plot->isEmptyHintShown());
        auto* reading = tab.findChild<QLabel*>(QStringLiteral("phaseReading"));
        QVERIFY(reading);
        // The colour named is the colour drawn.
        Theme::applyToPlot(plot);
        QCPCurve* boundary = nullptr;
        for (int i = 0; i < plot->plottableCount() && !boundary; ++i)
            boundary = qobject_cast<QCPCurve*>(plot->plottable(i));
        QVERIFY(boundary);
        QVERIFY2(boundary->pen().color().lightness() > 200, qPrintable(boundary->pen().color().name()));
        QVERIFY2(reading->text().contains(QStringLiteral("(white lines)")), qPrintable(reading->text()));
        Theme::apply(*qApp, Theme::Id::Light);
        Theme::applyToPlot(plot);
        QVERIFY(boundary->pen().color().lightness() < 60);
        QTRY_VERIFY2(reading->text().contains(QStringLiteral("(black lines)")), qPrintable(reading->text()));
        // Restoring a session without a diagram empties the plot, and the hint returns.
        tab.applyState(PhaseDiagramTab::State{});
        QVERIFY(plot->isEmptyHintShown());
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
