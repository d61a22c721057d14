// The "Randomized control" tab of the language-model view (widgets/panels/lm/LmControlView), offscreen: results
// fill the table and the grouped bars (each proxy divided by its largest arm), a session keeps them and restores
// them without running, malformed session values are refused with one line, a real run on the tiny2 test model
// fills four finite rows in the background, Cancel stops a run, the filled tab has nothing cut off in any theme, and
// the lm-control figure renders restored results, in process and through `featurescope render --session`.
#include "app/CliRun.h"
#include "common/FigureExporter.h"
#include "common/Theme.h"
#include "plots/FeaturePalette.h"
#include "session/SessionFile.h"
#include "widgets/LayoutInspector.h"
#include "common/InputError.h"
#include "panels/features/FeatureActivationsPanel.h"
#include "panels/lm/LmControlPlot.h"
#include "panels/lm/LmControlView.h"
#include "panels/lm/LmFeaturesView.h"
#include "session/PanelState.h"

#include <nlohmann/json.hpp>

#include <QApplication>
#include <QFile>
#include <QImage>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace featurescope;

namespace {

const QString kDataDir = QStringLiteral(FEATURESCOPE_TEST_DATA_DIR "/lm/");

// Four arms with known numbers: the trained arm has the lowest token EV and the most distinct top tokens.
std::vector<LmControlResult> knownResults()
{
    std::vector<LmControlResult> out;
    const char* arms[] = {"trained", "shuffle", "reinit", "untrained"};
    for (int i = 0; i < 4; ++i) {
        LmControlResult r;
        r.arm = arms[i];
        r.ceClean = 1.0 + 2.0 * i;
        r.ceSae = r.ceClean + 0.1;
        r.ceAblated = 8.0;
        r.ceLossScore = 0.9 - 0.1 * i;
        r.klScore = 0.8;
        r.proxies.liveFeatures = 64;
        r.proxies.tokenExplainedVariance = 0.2 + 0.2 * i;
        r.proxies.distinctTopTokens = 8.0 - i;
        r.proxies.logitConcentration = i == 3 ? -1.0 : 0.25; // the untrained arm has none: no bar
        r.proxies.meanDensity = 0.05;
        r.proxies.deadFraction = 0.0;
        r.l0 = 20.0 + i;
        r.explainedVariance = 0.9;
        r.trainingSteps = 100;
        r.seconds = 1.5;
        out.push_back(r);
    }
    return out;
}

QString corpusFile(const QTemporaryDir& dir)
{
    const QString path = dir.filePath(QStringLiteral("corpus.txt"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write the corpus");
    for (int i = 0; i < 60; ++i) // upper case: every byte is inside tiny2's vocabulary of 97
        file.write("THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG. A WIZARD'S JOB IS TO VEX CHUMPS QUICKLY IN FOG.\n");
    return path;
}

LmDashboardData::Request tiny2Request(const QString& corpus)
{
    LmDashboardData::Request r;
    r.modelDir = kDataDir + QStringLiteral("tiny2");
    r.saeDir = kDataDir + QStringLiteral("dashboard/sae_mlp"); // names blocks.1.mlp.hook_post
    r.corpusPath = corpus;
    return r;
}

} // namespace

class TestLmControlView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void resultsFillTableAndBars()
    {
        LmControlView view;
        QCOMPARE(view.table()->rowCount(), 0);
        QCOMPARE(view.plot()->armCount(), 0);
        view.setResults(knownResults(), QStringLiteral("tiny2"));
        QTableWidget* table = view.table();
        QCOMPARE(table->rowCount(), 4);
        QCOMPARE(table->item(0, 0)->text(), QStringLiteral("trained"));
        QCOMPARE(table->item(1, 0)->text(), QStringLiteral("shuffled"));
        QCOMPARE(table->item(2, 0)->text(), QStringLiteral("re-initialised"));
        QCOMPARE(table->item(3, 0)->text(), QStringLiteral("untrained"));
        QVERIFY(table->horizontalHeaderItem(2)->toolTip().startsWith(QStringLiteral("ce_loss_score")));
        QCOMPARE(table->item(1, 2)->text(), QStringLiteral("0.8"));
        QVERIFY(table->horizontalHeaderItem(3)->toolTip().contains(QStringLiteral("more token-like features")));
        QCOMPARE(table->item(2, 3)->text(), QStringLiteral("0.6")); // token EV of the re-initialised arm
        QCOMPARE(table->item(3, 5)->text(), QStringLiteral("–"));   // no logit concentration
        QCOMPARE(table->item(3, table->columnCount() - 1)->text(), QStringLiteral("23"));
        // Bars: each proxy over its largest arm.
        LmControlPlot* plot = view.plot();
        QCOMPARE(plot->armCount(), 4);
        QCOMPARE(plot->barHeight(3, 0), 1.0);
        QVERIFY(std::abs(plot->barHeight(0, 0) - 0.25) < 1e-12);
        QCOMPARE(plot->barHeight(0, 1), 1.0);
        QVERIFY(std::abs(plot->barHeight(3, 1) - 5.0 / 8.0) < 1e-12);
        QCOMPARE(plot->barHeight(3, 2), 0.0); // not available: no bar
        QCOMPARE(plot->barHeight(0, 4), 0.0); // all zero: no bars, and a note says so
        QCOMPARE(plot->groupNotes().size(), 5);
        QCOMPARE(plot->groupNotes()[4], QStringLiteral("0 in every arm"));
        QCOMPARE(plot->groupNotes()[0], QString());
        QVERIFY(view.statusLabel()->text().contains(QStringLiteral("tiny2")));
    }

    void sessionKeepsResults()
    {
        LmFeaturesView a;
        a.controlView()->setResults(knownResults(), QStringLiteral("tiny2 at blocks.1.mlp.hook_post"));
        a.showTab(LmFeaturesView::ControlTab);
        const nlohmann::json saved = a.saveState();
        // Through text, as a session file stores it.
        const LmFeaturesView::State state = LmFeaturesView::readState(nlohmann::json::parse(saved.dump()));
        LmFeaturesView b;
        b.restoreState(state);
        QVERIFY(!b.isBusy()); // restored, not run again
        QCOMPARE(b.tabs()->currentIndex(), int(LmFeaturesView::ControlTab));
        QCOMPARE(b.controlView()->results().size(), std::size_t(4));
        QCOMPARE(b.controlView()->source(), QStringLiteral("tiny2 at blocks.1.mlp.hook_post"));
        QCOMPARE(QString::fromStdString(b.saveState()["control"].dump()), QString::fromStdString(saved["control"].dump()));
        QCOMPARE(b.controlView()->table()->item(2, 0)->text(), QStringLiteral("re-initialised"));
        // A state from before the tab existed has no results.
        nlohmann::json old = saved;
        old.erase("control");
        QVERIFY(LmFeaturesView::readState(old).control.results.empty());
    }

    void readStateRejectsBadValues_data()
    {
        QTest::addColumn<QString>("patch");
        QTest::newRow("not an object") << QStringLiteral(R"({"control": [1]})");
        QTest::newRow("tokens a word") << QStringLiteral(R"({"control": {"tokens": "many"}})");
        QTest::newRow("steps too few") << QStringLiteral(R"({"control": {"steps": 1}})");
        QTest::newRow("results not a list") << QStringLiteral(R"({"control": {"results": 3}})");
        QTest::newRow("unknown arm") << QStringLiteral(R"({"control": {"results": [{"arm": "banana"}]}})");
        QTest::newRow("tab out of range") << QStringLiteral(R"({"tab": 9})");
    }

    void readStateRejectsBadValues()
    {
        QFETCH(QString, patch);
        LmFeaturesView view;
        view.controlView()->setResults(knownResults(), QStringLiteral("x"));
        nlohmann::json state = view.saveState();
        state.merge_patch(nlohmann::json::parse(patch.toStdString()));
        try {
            LmFeaturesView::readState(state);
            QFAIL("accepted");
        } catch (const InputError& error) {
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(!message.contains(QLatin1Char('\n')), qPrintable(message));
            QVERIFY2(message.startsWith(QStringLiteral("features panel state: lm.")), qPrintable(message));
        }
        // A malformed result deep inside is named by its index.
        state = view.saveState();
        state["control"]["results"][2]["proxies"]["mean_density"] = "dense";
        try {
            LmFeaturesView::readState(state);
            QFAIL("accepted");
        } catch (const InputError& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("results[2]")), error.what());
        }
    }

    void runsInTheBackground()
    {
        QTemporaryDir dir;
        LmFeaturesView view;
        view.setRequest(tiny2Request(corpusFile(dir)));
        LmControlView::State small;
        small.tokens = 1024;
        small.latents = 16;
        small.steps = 20;
        view.controlView()->restoreState(small);
        view.controlView()->runButton()->click();
        QVERIFY(view.isBusy());
        QVERIFY(!view.controlView()->runButton()->isEnabled());
        QVERIFY(view.controlView()->cancelButton()->isEnabled());
        view.controlView()->waitForFinished();
        QVERIFY2(view.controlView()->results().size() == 4, qPrintable(view.controlView()->statusLabel()->text()));
        for (const LmControlResult& r : view.controlView()->results()) {
            QVERIFY(std::isfinite(r.ceClean) && std::isfinite(r.ceLossScore) && std::isfinite(r.l0));
            QCOMPARE(r.trainingSteps, 20);
        }
        QCOMPARE(view.controlView()->table()->rowCount(), 4);
        QVERIFY(view.controlView()->source().contains(QStringLiteral("blocks.1.mlp.hook_post")));
        QVERIFY(view.controlView()->runButton()->isEnabled());
        QVERIFY(view.figureCaption(QStringLiteral("lm-control")).contains(QStringLiteral("ce_loss_score")));
    }

    void cancelKeepsEarlierResults()
    {
        QTemporaryDir dir;
        LmFeaturesView view;
        view.setRequest(tiny2Request(corpusFile(dir)));
        view.controlView()->setResults(knownResults(), QStringLiteral("earlier"));
        LmControlView::State slow;
        slow.steps = 1'000'000;
        slow.latents = 16;
        slow.tokens = 1024;
        slow.results = knownResults();
        slow.source = QStringLiteral("earlier");
        view.controlView()->restoreState(slow);
        view.controlView()->runButton()->click();
        QTest::qWait(50);
        view.controlView()->cancelButton()->click();
        view.controlView()->waitForFinished();
        QVERIFY(!view.isBusy());
        QVERIFY2(view.controlView()->statusLabel()->text().contains(QStringLiteral("cancelled")),
                 qPrintable(view.controlView()->statusLabel()->text()));
        QCOMPARE(view.controlView()->source(), QStringLiteral("earlier"));
        QCOMPARE(view.controlView()->results().size(), std::size_t(4));
    }

    void badModelShowsOneLine()
    {
        LmFeaturesView view;
        LmDashboardData::Request r;
        r.modelDir = QStringLiteral("/nonexistent/model");
        r.corpusPath = QStringLiteral("/nonexistent/corpus.txt");
        view.setRequest(r);
        view.controlView()->runButton()->click();
        view.controlView()->waitForFinished();
        QVERIFY(view.controlView()->results().empty());
        const QString status = view.controlView()->statusLabel()->text();
        QVERIFY2(status.contains(QStringLiteral("/nonexistent/model")), qPrintable(status));
    }

    void figureRendersRestoredResults()
    {
        FeatureActivationsPanel panel;
        LmFeaturesView::State state = LmFeaturesView::readState(nullptr);
        state.control.results = knownResults();
        state.control.source = QStringLiteral("tiny2 at blocks.1.mlp.hook_post");
        panel.lmView()->restoreState(state);
        const QString name = QStringLiteral("lm-control");
        QVERIFY(panel.figureNames().contains(name));
        QVERIFY(panel.figureNames().contains(QStringLiteral("control"))); // the Fashion-MNIST control is still there
        panel.prepareFigureForRender(name);
        auto* plot = qobject_cast<LmControlPlot*>(panel.figureWidget(name));
        QVERIFY(plot);
        QCOMPARE(plot->armCount(), 4);
        QVERIFY(panel.figureCaption(name).contains(QStringLiteral("re-initialised 0.700")));
        QTemporaryDir out;
        const QString path = out.filePath(QStringLiteral("lm-control.png"));
        QCOMPARE(FigureExporter::exportWidget(plot, path, ExportOptions{}), QString());
        QVERIFY(QFileInfo(path).size() > 1000);
        panel.waitForTraining();
    }

    void filledTabHasNothingCutOff_data()
    {
        QTest::addColumn<int>("theme");
        QTest::addColumn<QSize>("size");
        QTest::newRow("light 1280x800") << int(Theme::Id::Light) << QSize(1280, 800);
        QTest::newRow("dark 1280x800") << int(Theme::Id::Dark) << QSize(1280, 800);
        QTest::newRow("presentation 1600x900") << int(Theme::Id::Presentation) << QSize(1600, 900);
    }

    void filledTabHasNothingCutOff()
    {
        QFETCH(int, theme);
        QFETCH(QSize, size);
        auto* app = qobject_cast<QApplication*>(QCoreApplication::instance());
        Theme::apply(*app, Theme::Id(theme));
        FeatureActivationsPanel panel;
        panel.resize(size);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.findChild<QTabWidget*>()->setCurrentWidget(panel.lmView());
        panel.lmView()->controlView()->setResults(knownResults(), QStringLiteral("tiny2 at blocks.1.mlp.hook_post"));
        panel.lmView()->showTab(LmFeaturesView::ControlTab);
        QTest::qWait(20);
        QApplication::processEvents();
        const QStringList problems = LayoutInspector::inspect(&panel);
        panel.waitForTraining();
        Theme::apply(*app, Theme::Id::Light);
        if (!problems.isEmpty())
            QFAIL(qPrintable(problems.join(QStringLiteral("\n  "))));
    }

    // The saved session drawn by the command line: every arm's bars are in the picture (in its palette colour).
    void renderCommandDrawsSavedResults()
    {
        QTemporaryDir dir;
        const QString session = dir.filePath(QStringLiteral("control.fss"));
        {
            FeatureActivationsPanel panel;
            panel.waitForTraining();
            LmFeaturesView::State state = LmFeaturesView::readState(nullptr);
            state.control.results = knownResults();
            state.control.source = QStringLiteral("tiny2 at blocks.1.mlp.hook_post");
            panel.lmView()->restoreState(state);
            Session s;
            s.currentPanel = "features";
            panel.saveState(s.panels["features"]);
            SessionFile::save(session.toStdString(), s);
        }
        const QString png = dir.filePath(QStringLiteral("lm-control.png"));
        const CliRun r = CliRun::run({QStringLiteral("render"), QStringLiteral("--panel"), QStringLiteral("features"),
                                      QStringLiteral("--figure"), QStringLiteral("lm-control"), QStringLiteral("--session"),
                                      session, QStringLiteral("--out"), png, QStringLiteral("--theme"),
                                      QStringLiteral("light")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QImage image(png);
        QVERIFY(!image.isNull());
        for (int arm = 0; arm < 4; ++arm) {
            const QRgb colour = FeaturePalette::featureColor(arm).rgb();
            int pixels = 0;
            for (int y = 0; y < image.height(); ++y)
                for (int x = 0; x < image.width(); ++x)
                    pixels += (image.pixel(x, y) & 0xFFFFFF) == (colour & 0xFFFFFF);
            QVERIFY2(pixels > 2000, qPrintable(QStringLiteral("arm %1: %2 pixels").arg(arm).arg(pixels)));
        }
    }
};

QTEST_MAIN(TestLmControlView)
#include "tst_lm_control_view.moc"
