// The Feature activations panel's Studies tab, offscreen: the sweep, feature-splitting and ground-truth views run
// their experiments in the background and draw them (a series per recipe with error bars, one edge per linked latent
// and a highlighted family, the encoder and decoder cosine maps with a per-feature table), Cancel stops a sweep, bad
// input is reported, the panel lists their figures, and nothing is cut off once they show results.
#include "common/Theme.h"
#include "panels/features/FeatureActivationsPanel.h"
#include "panels/features/FeatureControlsWidget.h"
#include "panels/features/FeatureSplittingPlot.h"
#include "panels/features/FeatureSplittingView.h"
#include "panels/features/GroundTruthCosinePlot.h"
#include "panels/features/GroundTruthView.h"
#include "panels/features/SaeStudiesView.h"
#include "panels/features/StudyJobBar.h"
#include "panels/features/SweepParetoPlot.h"
#include "panels/features/SweepView.h"
#include "common/FigureExporter.h"
#include "widgets/LayoutInspector.h"
#include "common/InputError.h"
#include "session/PanelState.h"
#include "session/SessionFile.h"

#include <QProcess>

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using featurescope::SaeExperimentConfig;
using featurescope::SaeSweepSpec;

namespace {

SaeExperimentConfig tinyConfig()
{
    SaeExperimentConfig c = SaeExperimentConfig::withDefaults(SaeExperimentConfig::Source::Synthetic);
    c.syntheticFeatures = 32;
    c.syntheticDimension = 16;
    c.syntheticMeanActive = 3.0;
    c.sae.latentDim = 32;
    c.training.steps = 200;
    c.training.batch = 128;
    c.evaluationInputs = 1024;
    return c;
}

std::vector<SaeSweepSpec> tinySweeps()
{
    SaeSweepSpec l1;
    l1.name = "TM 2023";
    l1.base = tinyConfig();
    l1.values = {0.002, 0.02};
    l1.seeds = 2;
    SaeSweepSpec topK = l1;
    topK.name = "TopK";
    topK.base.sae.variant = featurescope::SaeVariant::TopK;
    topK.values = {2, 4};
    return {l1, topK};
}

featurescope::SaeSplittingSpec tinySplitting()
{
    featurescope::SaeSplittingSpec spec;
    spec.base = tinyConfig();
    spec.base.sae.latentDim = 8;
    spec.base.training.steps = 400;
    spec.multipliers = {1, 2, 4};
    return spec;
}

} // namespace

class TestSaeStudiesView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_panel = new FeatureActivationsPanel;
        m_panel->setAttribute(Qt::WA_DontShowOnScreen);
        m_panel->resize(1280, 720);
        m_panel->show();
        m_panel->controls()->setConfig(tinyConfig());
    }
    void cleanup()
    {
        delete m_panel;
        m_panel = nullptr;
    }

    void panelListsTheStudyFigures()
    {
        for (const QString& name : SaeStudiesView::figureNames()) {
            QVERIFY2(m_panel->figureNames().contains(name), qPrintable(name));
            QVERIFY2(m_panel->figureWidget(name), qPrintable(name));
            QVERIFY(!m_panel->figureCaption(name).isEmpty());
        }
        QVERIFY(qobject_cast<SweepParetoPlot*>(m_panel->figureWidget(QStringLiteral("sweep"))));
        QVERIFY(qobject_cast<FeatureSplittingPlot*>(m_panel->figureWidget(QStringLiteral("feature-splitting"))));
        QVERIFY(qobject_cast<GroundTruthCosinePlot*>(m_panel->figureWidget(QStringLiteral("ground-truth"))));
        auto* tabs = m_panel->findChild<QTabWidget*>();
        QVERIFY(tabs->indexOf(m_panel->studiesView()) >= 0);
    }

    void sweepDrawsASeriesPerRecipeWithErrorBars()
    {
        SweepView* view = m_panel->studiesView()->sweepView();
        QSignalSpy started(m_panel, &Panel::workStarted);
        QSignalSpy finished(m_panel, &Panel::workFinished);
        view->start(tinySweeps());
        QVERIFY(m_panel->isBusy());
        view->waitForFinished();
        QCOMPARE(started.count(), 1);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(view->results().size(), std::size_t(2));
        SweepParetoPlot* plot = view->plot();
        QCOMPARE(plot->seriesCount(), 2);
        QCOMPARE(plot->pointCount(0), 2);
        QCOMPARE(plot->pointCount(1), 2);
        QCOMPARE(plot->errorBarCount(), 4); // L0 and MSE per series
        for (int i = 0; i < plot->errorBarCount(); ++i)
            QCOMPARE(plot->errorBars(i)->dataCount(), 2);
        QCOMPARE(int(plot->pointLabels().size()), 4);
        QVERIFY(plot->legend->itemCount() == 2);
        QVERIFY(plot->xAxis->scaleType() == QCPAxis::stLogarithmic);
        QVERIFY(plot->yAxis->scaleType() == QCPAxis::stLogarithmic);
        // λ 0.02 is sparser than λ 0.002: drawn to its left.
        QVERIFY(plot->graph(0)->data()->size() == 2);
        QVERIFY(view->results()[0].points[1].meanOf("l0") < view->results()[0].points[0].meanOf("l0"));
        // Another metric on the y axis: MMCS on a linear axis, same series.
        view->metricBox()->setCurrentIndex(view->metricBox()->findData(QStringLiteral("mmcs")));
        QVERIFY(plot->yAxis->scaleType() == QCPAxis::stLinear);
        QCOMPARE(plot->seriesCount(), 2);
        QCOMPARE(plot->pointCount(1), 2);
        QVERIFY(view->caption().contains(QStringLiteral("TopK")));
    }

    void sweepFormErrorsAndCancel()
    {
        SweepView* view = m_panel->studiesView()->sweepView();
        view->setBaseConfig([] { return tinyConfig(); });
        auto* values = view->findChildren<QLineEdit*>().front();
        values->setText(QStringLiteral("0.01,abc"));
        view->start();
        QVERIFY(!view->isRunning());
        QVERIFY2(view->jobBar()->statusLabel()->text().contains(QStringLiteral("abc")),
                 qPrintable(view->jobBar()->statusLabel()->text()));
        values->setText(QStringLiteral("0.001,0.01"));
        QCOMPARE(view->specs().front().values.size(), std::size_t(2));
        // A long sweep stops promptly on Cancel.
        auto specs = tinySweeps();
        for (auto& s : specs)
            s.base.training.steps = 1000000;
        view->start(specs);
        QVERIFY(view->jobBar()->cancelButton()->isEnabled());
        QTest::qWait(100);
        QElapsedTimer timer;
        timer.start();
        view->jobBar()->cancelButton()->click();
        view->waitForFinished();
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(!view->isRunning());
        QVERIFY(view->jobBar()->runButton()->isEnabled());
        QVERIFY2(view->jobBar()->statusLabel()->text().contains(QStringLiteral("Cancelled")),
                 qPrintable(view->jobBar()->statusLabel()->text()));
    }

    // Closing the panel while every study runs stops them promptly, and nothing they deliver reaches the dead views.
    void closingWhileRunning()
    {
        SaeStudiesView* studies = m_panel->studiesView();
        auto sweeps = tinySweeps();
        sweeps.front().base.training.steps = 1000000;
        auto splitting = tinySplitting();
        splitting.base.training.steps = 1000000;
        studies->sweepView()->start(sweeps);
        studies->splittingView()->start(splitting);
        studies->groundTruthView()->start();
        QVERIFY(studies->isBusy());
        QTest::qWait(50);
        QElapsedTimer timer;
        timer.start();
        delete m_panel;
        m_panel = nullptr;
        QApplication::processEvents();
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    }

    void splittingDrawsLinksAndAFamily()
    {
        FeatureSplittingView* view = m_panel->studiesView()->splittingView();
        view->start(tinySplitting());
        view->waitForFinished();
        QVERIFY(view->hasResult());
        const auto& result = view->result();
        QCOMPARE(result.widths.size(), std::size_t(3));
        int linked = 0;
        for (const auto& w : result.widths)
            for (int p : w.parent)
                linked += p >= 0 ? 1 : 0;
        FeatureSplittingPlot* plot = view->plot();
        QCOMPARE(plot->edgeCount(), linked);
        QVERIFY(linked > 0);
        // The cleanest split is highlighted first, with its family's edges in bold and listed beside the plot.
        QCOMPARE(plot->selectedWidth(), 0);
        QCOMPARE(plot->selectedLatent(), result.mostSplitRoot());
        QVERIFY(plot->familyEdgeCount() >= 2);
        QVERIFY(view->familyLabel()->text().contains(QStringLiteral("2×")));
        // Another latent: its family instead.
        const int other = result.widths[1].parent[std::size_t(result.widths[1].latents - 1)];
        plot->setSelected(1, result.widths[1].latents - 1);
        QVERIFY(plot->familyEdgeCount() >= (other >= 0 ? 1 : 0));
        const QPointF at = plot->nodePosition(1, result.widths[1].latents - 1);
        if (std::isfinite(at.x())) {
            plot->replot(QCustomPlot::rpImmediateRefresh);
            const QPointF px(plot->xAxis->coordToPixel(at.x()), plot->yAxis->coordToPixel(at.y()));
            QVERIFY(plot->hoverText(px).contains(QStringLiteral("2× SAE")));
        }
        QVERIFY(view->caption().contains(QStringLiteral("8, 16, 32")));
    }

    void groundTruthShowsAbsorption()
    {
        GroundTruthView* view = m_panel->studiesView()->groundTruthView();
        // The panel's SAE before one is trained: a clear error, nothing runs.
        view->setPreset(GroundTruthView::PanelSae);
        view->start();
        QVERIFY(!view->isRunning());
        QVERIFY(view->jobBar()->statusLabel()->text().contains(QStringLiteral("no ground truth")));
        view->setPreset(GroundTruthView::AbsorptionUntied);
        view->start();
        view->waitForFinished();
        QVERIFY(view->hasResult());
        GroundTruthCosinePlot* plot = view->plot();
        QVERIFY(plot->hasData());
        QCOMPARE(plot->encoderMap()->data()->keySize(), 4);
        QCOMPARE(plot->decoderMap()->data()->valueSize(), 4);
        QCOMPARE(plot->cellLabelCount(), 32); // 4 x 4 values on each map
        QVERIFY(plot->encoderMap()->data()->cell(0, 1) < -0.2); // the parent's latent (column 0) on the child (row 1)
        QVERIFY(plot->decoderMap()->data()->cell(0, 0) > 0.9);
        QVERIFY(plot->summary().contains(QStringLiteral("absorption")));
        QTableWidget* table = view->table();
        QCOMPARE(table->rowCount(), 4);
        QVERIFY(table->item(1, 0)->text().contains(QStringLiteral("child of 0")));
        QVERIFY2(table->item(1, 6)->text().toDouble() > 0.5, qPrintable(table->item(1, 6)->text()));
        // The panel's own SAE once trained (synthetic: ground truth known, no hierarchy).
        m_panel->startTraining();
        m_panel->waitForTraining();
        view->setPreset(GroundTruthView::PanelSae);
        view->start();
        view->waitForFinished();
        QCOMPARE(view->comparison().featureCount(), 32);
        QCOMPARE(view->table()->rowCount(), 32);
        QCOMPARE(plot->cellLabelCount(), 0); // too many cells to print
    }

    // A session keeps the three results: a restored panel draws the same figures, pixel for pixel, without running
    // anything; a damaged studies entry is one error and changes nothing.
    void sessionsKeepTheResults()
    {
        SaeStudiesView* studies = m_panel->studiesView();
        studies->sweepView()->start(tinySweeps());
        studies->sweepView()->waitForFinished();
        studies->sweepView()->metricBox()->setCurrentIndex(studies->sweepView()->metricBox()->findData(QStringLiteral("fvu")));
        studies->splittingView()->start(tinySplitting());
        studies->splittingView()->waitForFinished();
        studies->groundTruthView()->start();
        studies->groundTruthView()->waitForFinished();
        studies->setCurrentIndex(SaeStudiesView::SplittingTab);
        featurescope::PanelState state;
        m_panel->saveState(state);
        // Through text, as a session file stores it.
        state.settings = nlohmann::json::parse(state.settings.dump());

        FeatureActivationsPanel restored;
        restored.setAttribute(Qt::WA_DontShowOnScreen);
        restored.resize(1280, 720);
        restored.show();
        restored.restoreState(state);
        restored.waitForTraining();
        SaeStudiesView* again = restored.studiesView();
        QVERIFY(!again->isBusy());
        QCOMPARE(again->currentIndex(), int(SaeStudiesView::SplittingTab));
        QCOMPARE(again->sweepView()->plot()->metric(), std::string("fvu"));
        QCOMPARE(again->sweepView()->plot()->seriesCount(), 2);
        QCOMPARE(again->sweepView()->plot()->errorBarCount(), 4);
        QCOMPARE(again->splittingView()->plot()->edgeCount(), studies->splittingView()->plot()->edgeCount());
        QCOMPARE(again->splittingView()->plot()->selectedLatent(), studies->splittingView()->plot()->selectedLatent());
        QVERIFY(again->groundTruthView()->comparison().decoderCosine.isApprox(studies->groundTruthView()->comparison().decoderCosine));
        QCOMPARE(again->groundTruthView()->table()->rowCount(), 4);
        for (const QString& name : SaeStudiesView::figureNames()) {
            QCOMPARE(restored.figureCaption(name), m_panel->figureCaption(name));
            ExportOptions options;
            options.logicalSize = QSize(900, 600);
            const QImage a = FigureExporter::renderImage(m_panel->figureWidget(name), options);
            const QImage b = FigureExporter::renderImage(restored.figureWidget(name), options);
            QVERIFY2(!a.isNull() && a == b, qPrintable(name));
        }

        // Damaged: a link to a parent that does not exist.
        featurescope::PanelState bad = state;
        bad.settings["studies"]["splitting"]["result"]["widths"][1]["links"][0]["parent"] = 999;
        QVERIFY_THROWS_EXCEPTION(featurescope::InputError, restored.restoreState(bad));
        bad = state;
        bad.settings["studies"]["ground_truth"]["comparison"]["encoder_cosine"][0][0] = 7.0;
        QVERIFY_THROWS_EXCEPTION(featurescope::InputError, restored.restoreState(bad));
        bad = state;
        bad.settings["studies"]["sweep"][0]["parameter"] = "k"; // TM 2023 sweeps λ
        QVERIFY_THROWS_EXCEPTION(featurescope::InputError, restored.restoreState(bad));
        QCOMPARE(again->sweepView()->results().size(), std::size_t(2)); // unchanged
    }

    // `featurescope render --session` draws the saved results exactly as the panel exports them, without running.
    void renderSessionDrawsTheSavedResults()
    {
        if (qEnvironmentVariable("FEATURESCOPE_BINARY").isEmpty())
            QSKIP("FEATURESCOPE_BINARY is not set (run through ctest)");
        SaeStudiesView* studies = m_panel->studiesView();
        studies->splittingView()->start(tinySplitting());
        studies->splittingView()->waitForFinished();
        studies->groundTruthView()->setPreset(GroundTruthView::AbsorptionTied);
        studies->groundTruthView()->start();
        studies->groundTruthView()->waitForFinished();
        featurescope::Session session;
        session.theme = "light";
        m_panel->saveState(session.panels["features"]);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("studies.fss"));
        featurescope::SessionFile::save(path.toStdString(), session);
        for (const QString& figure : {QStringLiteral("feature-splitting"), QStringLiteral("ground-truth")}) {
            const QString out = dir.filePath(figure + QStringLiteral(".png"));
            QProcess render;
            render.start(qEnvironmentVariable("FEATURESCOPE_BINARY"),
                         {QStringLiteral("render"), QStringLiteral("--session"), path, QStringLiteral("--panel"),
                          QStringLiteral("features"), QStringLiteral("--figure"), figure, QStringLiteral("--out"), out,
                          QStringLiteral("--width"), QStringLiteral("900"), QStringLiteral("--height"), QStringLiteral("600")});
            QVERIFY(render.waitForFinished(120000));
            QVERIFY2(render.exitCode() == 0, render.readAllStandardError().constData());
            ExportOptions options;
            options.logicalSize = QSize(900, 600);
            FigureExporter::prepareWidget(m_panel, options.logicalSize);
            const QImage expected = FigureExporter::renderImage(m_panel->figureWidget(figure), options)
                                        .convertToFormat(QImage::Format_ARGB32);
            const QImage drawn = QImage(out).convertToFormat(QImage::Format_ARGB32);
            QCOMPARE(drawn.size(), expected.size());
            int differing = 0;
            for (int y = 0; y < drawn.height(); ++y)
                for (int x = 0; x < drawn.width(); ++x)
                    differing += drawn.pixel(x, y) != expected.pixel(x, y);
            QVERIFY2(differing == 0, qPrintable(QStringLiteral("%1: %2 pixels differ").arg(figure).arg(differing)));
        }
    }

    // With results on screen, in the light theme at 1280 x 720 and the presentation theme at 1600 x 900, nothing in
    // the three views is cut off; and each figure exported at 1280 x 720 fits its text.
    void studiesHaveNothingCutOff_data()
    {
        QTest::addColumn<int>("theme");
        QTest::addColumn<QSize>("size");
        QTest::newRow("light 1280x720") << int(Theme::Id::Light) << QSize(1280, 720);
        QTest::newRow("dark 1400x900") << int(Theme::Id::Dark) << QSize(1400, 900);
        QTest::newRow("presentation 1600x900") << int(Theme::Id::Presentation) << QSize(1600, 900);
    }
    void studiesHaveNothingCutOff()
    {
        QFETCH(int, theme);
        QFETCH(QSize, size);
        auto* app = qobject_cast<QApplication*>(QCoreApplication::instance());
        Theme::apply(*app, Theme::Id(theme));
        FeatureActivationsPanel panel;
        panel.resize(size);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        Theme::followAll(&panel);
        panel.waitForTraining(); // showing started the default training: its metrics must be in place, too
        panel.controls()->setConfig(tinyConfig());
        SaeStudiesView* studies = panel.studiesView();
        panel.findChild<QTabWidget*>()->setCurrentWidget(studies);
        studies->sweepView()->start(tinySweeps());
        studies->sweepView()->waitForFinished();
        studies->splittingView()->start(tinySplitting());
        studies->splittingView()->waitForFinished();
        studies->groundTruthView()->start();
        studies->groundTruthView()->waitForFinished();
        QStringList problems;
        for (int tab = 0; tab < studies->count(); ++tab) {
            studies->setCurrentIndex(tab);
            for (int pass = 0; pass < 4; ++pass) { // the text fitter may queue a replot after a layout
                QTest::qWait(20);
                QApplication::processEvents();
            }
            for (const QString& p : LayoutInspector::inspect(&panel))
                problems << studies->tabText(tab) + QStringLiteral(": ") + p;
            // FEATURESCOPE_SCREENSHOTS=DIR keeps what was inspected, to look at.
            if (const QString shots = qEnvironmentVariable("FEATURESCOPE_SCREENSHOTS"); !shots.isEmpty())
                panel.grab().save(QStringLiteral("%1/studies-%2-%3.png").arg(shots, QString::fromUtf8(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-'))).arg(tab));
        }
        // The ground-truth maps of the panel's own SAE (128 true features of the default synthetic source): too many
        // cells to print, the tick labels thinned.
        studies->groundTruthView()->setPreset(GroundTruthView::PanelSae);
        studies->groundTruthView()->start();
        studies->groundTruthView()->waitForFinished();
        QCOMPARE(studies->groundTruthView()->comparison().featureCount(), panel.snapshot()->truth.cols());
        for (int pass = 0; pass < 4; ++pass) {
            QTest::qWait(20);
            QApplication::processEvents();
        }
        for (const QString& p : LayoutInspector::inspect(&panel))
            problems << QStringLiteral("Ground truth of the panel's SAE: ") + p;
        if (const QString shots = qEnvironmentVariable("FEATURESCOPE_SCREENSHOTS"); !shots.isEmpty())
            panel.grab().save(QStringLiteral("%1/studies-%2-panel-sae.png").arg(shots, QString::fromUtf8(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-'))));
        // Each figure as `render --figure` draws it: exported at 1280 x 720, then inspected at that size.
        QTemporaryDir dir;
        for (const QString& name : SaeStudiesView::figureNames()) {
            auto* plot = qobject_cast<QCustomPlot*>(panel.figureWidget(name));
            QVERIFY(plot);
            ExportOptions options;
            options.logicalSize = QSize(1280, 720);
            const QString path = dir.filePath(name + QStringLiteral(".png"));
            QCOMPARE(FigureExporter::exportWidget(plot, path, options), QString());
            const QImage image(path);
            QCOMPARE(image.size(), QSize(1280, 720));
        }
        Theme::apply(*app, Theme::Id::Light);
        problems.removeDuplicates();
        if (!problems.isEmpty())
            QFAIL(qPrintable(QStringLiteral("%1 layout problem(s):\n  ").arg(problems.size()) + problems.join(QStringLiteral("\n  "))));
    }

private:
    FeatureActivationsPanel* m_panel = nullptr;
};

QTEST_MAIN(TestSaeStudiesView)
#include "tst_sae_studies_view.moc"
