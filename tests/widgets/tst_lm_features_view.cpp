// The Language model tab of the Feature activations panel (widgets/panels/lm), offscreen, on the tiny2 test model
// with the sae_mlp test SAE (blocks.1.mlp.hook_post): a scan from folders completes in the background, the table
// lists every feature, a selected feature's dashboard shows what FeatureDashboard::card computes, the token search
// keeps exactly the features whose examples or logits hold the token, the prompt view lists per-token features
// that open on click, steering at strength 0 gives identical texts and a large strength changes them, Cancel stops
// a scan, and a bad folder or a corpus outside the vocabulary shows one error instead of crashing.
#include "common/FigureExporter.h"
#include "common/Theme.h"
#include "widgets/LayoutInspector.h"
#include "panels/features/FeatureActivationsPanel.h"
#include "panels/features/TokenContextView.h"
#include "panels/lm/LmDashboardData.h"
#include "panels/lm/LmFeatureCardView.h"
#include "panels/lm/LmFeatureFilterProxyModel.h"
#include "panels/lm/LmFeatureTableModel.h"
#include "panels/lm/LmFeaturesView.h"
#include "panels/lm/LmPromptView.h"
#include "panels/lm/LmSourceForm.h"
#include "panels/lm/LmSteeringView.h"
#include "panels/lm/LogitEffectsPlot.h"
#include "plots/HistogramPlot.h"

#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "lm/LanguageModel.h"
#include "lm/TransformerLensProcessing.h"
#include "lmfeatures/FeatureDashboard.h"
#include "sae/ImportedSae.h"
#include "sae/SaeLensLoader.h"
#include "session/PanelState.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QLineEdit>
#include <QElapsedTimer>
#include <QFile>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>

using namespace featurescope;

namespace {

const QString kDataDir = QStringLiteral(FEATURESCOPE_TEST_DATA_DIR "/lm/");

// Upper-case text: every byte is below tiny2's vocabulary of 97.
QByteArray corpusText(int repeats)
{
    const QByteArray verse = "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG. A WIZARD'S JOB IS TO VEX CHUMPS QUICKLY IN FOG, "
                             "0123456789 TIMES, THEN THE DOG SLEEPS: \"THE END\"?\n";
    QByteArray out;
    for (int i = 0; i < repeats; ++i)
        out += verse;
    return out;
}

struct Folders {
    QTemporaryDir dir;
    QString corpus;
    explicit Folders(int repeats = 12)
    {
        corpus = dir.filePath(QStringLiteral("corpus.txt"));
        QFile file(corpus);
        if (!file.open(QIODevice::WriteOnly))
            qFatal("cannot write the corpus");
        file.write(corpusText(repeats));
    }
    LmDashboardData::Request request(std::uint64_t tokens = 1024) const
    {
        LmDashboardData::Request r;
        r.modelDir = kDataDir + QStringLiteral("tiny2");
        r.saeDir = kDataDir + QStringLiteral("dashboard/sae_mlp");
        r.corpusPath = corpus;
        r.tokens = tokens;
        return r;
    }
};

// The same scan done directly with core, for comparison.
struct Reference {
    LanguageModel lm = LanguageModel::load((kDataDir + QStringLiteral("tiny2")).toStdString());
    ImportedSae sae = SaeLensLoader::load((kDataDir + QStringLiteral("dashboard/sae_mlp")).toStdString());
    std::unique_ptr<FeatureDashboard> dashboard;
    explicit Reference(const QByteArray& text, std::uint64_t tokens)
    {
        const GptHookPoint hook = GptHookPoint::parse(sae.config().hookName, 2);
        dashboard = std::make_unique<FeatureDashboard>(lm, sae, hook,
                                                       TransformerLensProcessing::fromSaeLensConfig(sae.config().raw, "cfg.json"));
        DashboardSettings settings;
        settings.context = 16;
        settings.maxTokens = tokens;
        dashboard->scan(lm.tokenizer().encode(text.toStdString()), settings);
    }
};

bool close(float a, float b) { return std::abs(a - b) <= 1e-4f * std::max(1.0f, std::abs(b)); }

std::unique_ptr<LmFeaturesView> scannedView(const Folders& folders, std::uint64_t tokens = 1024)
{
    auto view = std::make_unique<LmFeaturesView>();
    view->resize(1280, 860);
    view->setRequest(folders.request(tokens));
    view->startScan();
    view->waitForScan();
    return view;
}

} // namespace

class TestLmFeaturesView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void panelHasTheTab()
    {
        FeatureActivationsPanel panel;
        QVERIFY(panel.lmView() != nullptr);
        auto* tabs = panel.findChild<QTabWidget*>();
        QVERIFY(tabs != nullptr);
        bool found = false;
        for (int i = 0; i < tabs->count(); ++i)
            found = found || tabs->widget(i) == panel.lmView();
        QVERIFY(found);
    }

    void hookFollowsTheSae()
    {
        LmSourceForm form;
        Folders folders;
        LmDashboardData::Request r = folders.request();
        form.setRequest(r);
        QCOMPARE(form.hookBox()->currentText(), QStringLiteral("blocks.1.mlp.hook_post")); // the SAE's cfg.json
        QVERIFY(form.hookBox()->count() > 8); // every hook of the two-layer model
        r.saeDir = folders.dir.path();           // no cfg.json: the default hook
        form.setRequest(r);
        QCOMPARE(form.hookBox()->currentText(), LmDashboardData::defaultHook());
    }

    void scanListsEveryFeature()
    {
        Folders folders;
        auto view = scannedView(folders);
        QVERIFY2(!view->form()->statusIsError(), qPrintable(view->form()->statusText()));
        QVERIFY(view->data() != nullptr);
        QCOMPARE(view->data()->dashboard().tokensScanned(), std::int64_t(1024));
        QCOMPARE(view->tableModel()->rowCount(), 24);
        QCOMPARE(view->proxyModel()->rowCount(), 24);
        QVERIFY(view->form()->statusText().contains(QStringLiteral("1024 tokens")));
        QVERIFY(view->form()->scanButton()->isEnabled());
        QVERIFY(!view->form()->cancelButton()->isEnabled());
        QVERIFY(view->selectedFeature() >= 0); // the table's first row opens at once
        QVERIFY(view->data()->tableHasLogits()); // a 97-token vocabulary is well inside the budget
        const QString logits = view->tableModel()->index(0, LmFeatureTableModel::TopLogits).data().toString();
        QCOMPARE(logits.split(QStringLiteral("  ")).size(), 5);
    }

    void cardMatchesCore()
    {
        Folders folders;
        auto view = scannedView(folders);
        const Reference ref(corpusText(12), 1024);
        for (int f = 0; f < 24; ++f) {
            QElapsedTimer clock;
            clock.start();
            view->selectFeature(f);
            QVERIFY2(clock.elapsed() < 100, "a card must open in well under 100 ms");
            const FeatureCard expected = ref.dashboard->card(f, LmDashboardData::cardOptions());
            const FeatureCard& shown = view->cardView()->card();
            QCOMPARE(view->selectedFeature(), f);
            // The view scanned on a worker thread: sums may round differently in the last bits.
            QVERIFY(close(shown.maxActivation, expected.maxActivation));
            QVERIFY(std::abs(shown.density - expected.density) <= 1.0 / 1024 + 1e-12);
            QVERIFY(view->cardView()->headerText().contains(QString::number(double(shown.maxActivation), 'g', 4)));
            const auto& rows = view->cardView()->topExamplesView()->rows();
            QCOMPARE(rows.size(), expected.topExamples.size());
            for (std::size_t e = 0; e < rows.size(); ++e) {
                const DashboardExample& x = expected.topExamples[e];
                QVERIFY(close(rows[e].value, x.maxActivation));
                QCOMPARE(rows[e].tokens.size(), x.tokenIds.size());
                QCOMPARE(rows[e].centre, x.position - x.first);
                for (std::size_t t = 0; t < x.tokenIds.size(); ++t) {
                    QCOMPARE(rows[e].tokens[t].text, QString(QChar(x.tokenIds[t])));
                    QVERIFY(close(rows[e].tokens[t].activation, x.activations[t]));
                }
            }
            if (expected.activeTokens > 0) {
                QVERIFY(view->cardView()->histogramPlot()->hasData());
                QVERIFY(!view->cardView()->quantileView()->rows().empty());
            }
            QCOMPARE(view->cardView()->logitPlot()->barCount(), int(expected.topLogits.size() + expected.bottomLogits.size()));
            QCOMPARE(view->cardView()->logitTable()->rowCount(), 10);
            QCOMPARE(view->cardView()->nearestList()->count(), int(expected.nearest.size()));
            QCOMPARE(view->cardView()->coFiringList()->count(), int(expected.coFiring.size()));
        }
        // Table row -> dashboard, and a nearest feature's entry -> that feature, selected in the table too.
        view->selectFeature(3);
        QListWidget* nearest = view->cardView()->nearestList();
        QVERIFY(nearest->count() > 0);
        const int target = nearest->item(0)->data(Qt::UserRole).toInt();
        QTest::mouseClick(nearest->viewport(), Qt::LeftButton, {}, nearest->visualItemRect(nearest->item(0)).center());
        QCOMPARE(view->selectedFeature(), target);
        const QModelIndex current = view->tableView()->selectionModel()->currentIndex();
        QCOMPARE(view->proxyModel()->mapToSource(current).row(), target);
        const QModelIndex other = view->proxyModel()->index(5, 0);
        view->tableView()->selectionModel()->setCurrentIndex(other, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(view->selectedFeature(), view->proxyModel()->mapToSource(other).row());
        QCOMPARE(view->cardView()->feature(), view->selectedFeature());
    }

    void tokenSearchFilters_data()
    {
        QTest::addColumn<QString>("query");
        QTest::newRow("one letter") << QStringLiteral("E");
        QTest::newRow("a word with its space") << QStringLiteral(" THE");
        QTest::newRow("punctuation") << QStringLiteral(".");
    }

    void tokenSearchFilters()
    {
        QFETCH(QString, query);
        Folders folders;
        auto view = scannedView(folders);
        // Expected from core's cards of the view's own scan (a second scan could break near-ties differently): the
        // text occurs over a top example's strongest token, or in a top logit token.
        CardOptions options;
        options.topExamples = 10;
        options.contextTokens = 8;
        options.logits = 5;
        std::set<int> expected;
        for (int f = 0; f < 24; ++f) {
            const FeatureCard c = view->data()->dashboard().card(f, options);
            for (const auto& t : c.topLogits)
                if (QString(QChar(t.id)).contains(query))
                    expected.insert(f);
            for (const DashboardExample& e : c.topExamples) {
                QString text;
                for (const int id : e.tokenIds)
                    text += QChar(id);
                const int mark = e.position - e.first;
                for (qsizetype at = text.indexOf(query); at >= 0; at = text.indexOf(query, at + 1))
                    if (at <= mark && at + query.size() > mark)
                        expected.insert(f);
            }
        }
        view->setSearch(query);
        std::set<int> shown;
        for (int r = 0; r < view->proxyModel()->rowCount(); ++r)
            shown.insert(view->proxyModel()->mapToSource(view->proxyModel()->index(r, 0)).row());
        QCOMPARE(shown, expected);
        QVERIFY(!expected.empty());
        QVERIFY(int(expected.size()) < 24 || query == QStringLiteral("E")); // a search that keeps everything tests little
        view->setSearch(QStringLiteral("7"));
        QCOMPARE(view->proxyModel()->rowCount(), 1);
        QCOMPARE(view->proxyModel()->mapToSource(view->proxyModel()->index(0, 0)).row(), 7);
        view->setSearch(QString());
        QCOMPARE(view->proxyModel()->rowCount(), 24);
    }

    void promptViewOpensFeatures()
    {
        Folders folders;
        auto view = scannedView(folders);
        view->showTab(LmFeaturesView::PromptTab);
        LmPromptView* prompt = view->promptView();
        prompt->setPrompt(QStringLiteral("THE LAZY DOG"));
        QVERIFY(prompt->isEncoding()); // the model runs off the GUI thread
        prompt->waitForEncoding();
        QTableWidget* table = prompt->table();
        QCOMPARE(table->rowCount(), 12); // one row per byte (no BOS for this SAE)
        // The listed features and values are the strongest codes of core's encodeSequence.
        const Reference ref(corpusText(1), 16);
        const Eigen::MatrixXf codes = ref.dashboard->encodeSequence(ref.lm.tokenizer().encode("THE LAZY DOG"));
        int clicked = -1;
        for (int t = 0; t < 12; ++t) {
            Eigen::Index best = 0;
            const float max = codes.col(t).maxCoeff(&best);
            if (max > 0.0f) {
                QCOMPARE(prompt->featureAt(t, 0), int(best));
                clicked = t;
            } else {
                QCOMPARE(prompt->featureAt(t, 0), -1);
            }
        }
        QVERIFY(clicked >= 0);
        const int feature = prompt->featureAt(clicked, 0);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualItemRect(table->item(clicked, 1)).center());
        QCOMPARE(view->selectedFeature(), feature);
        QCOMPARE(view->tabs()->currentIndex(), int(LmFeaturesView::DashboardTab));
        // Above the table the prompt is shaded by the selected feature, its strongest token framed.
        const auto& rows = prompt->highlightView()->rows();
        QCOMPARE(rows.size(), std::size_t(1));
        QCOMPARE(rows[0].tokens.size(), std::size_t(12));
        Eigen::Index strongest = 0;
        codes.row(feature).maxCoeff(&strongest);
        QCOMPARE(rows[0].centre, int(strongest));
        for (int t = 0; t < 12; ++t)
            QVERIFY(close(rows[0].tokens[std::size_t(t)].activation, codes(feature, t)));
        view->selectFeature(-1);
        QVERIFY(prompt->highlightView()->rows().empty());
        // Text typed while the model runs is queued; only the newest is shown.
        prompt->setPrompt(QStringLiteral("THE"));
        prompt->setPrompt(QStringLiteral("THE DOG"));
        prompt->waitForEncoding();
        QCOMPARE(table->rowCount(), 7);
        prompt->setPrompt(QString());
        prompt->waitForEncoding();
        QCOMPARE(table->rowCount(), 0);
    }

    void steeringAtZeroChangesNothing()
    {
        Folders folders;
        auto view = scannedView(folders);
        LmSteeringView* steering = view->steeringView();
        steering->setPrompt(QStringLiteral("THE QUICK"));
        steering->setFeature(2);
        steering->setSeed(5);
        steering->setStrength(0.0);
        steering->generate();
        QVERIFY(!steering->generateButton()->isEnabled()); // until the background generation has delivered
        steering->waitForFinished();
        QVERIFY(!steering->unsteeredText().isEmpty());
        QCOMPARE(steering->steeredText(), steering->unsteeredText());
        QVERIFY(steering->message().contains(QStringLiteral("identical")));
        steering->setStrength(200.0);
        steering->generate();
        steering->waitForFinished();
        QVERIFY(steering->steeredText() != steering->unsteeredText());
        QVERIFY(steering->generateButton()->isEnabled());
        // A prompt the model cannot read (lower case is outside tiny2's 97 bytes) is one message, not a crash.
        steering->setPrompt(QStringLiteral("the quick"));
        steering->generate();
        steering->waitForFinished();
        QVERIFY2(steering->message().contains(QStringLiteral("vocabulary")), qPrintable(steering->message()));
        QVERIFY(steering->generateButton()->isEnabled());
    }

    void cancelStopsTheScan()
    {
        Folders folders(3000); // about 400 kB: many windows to scan
        LmFeaturesView view;
        view.setRequest(folders.request(400000));
        view.startScan();
        QVERIFY(view.isBusy());
        QVERIFY(view.form()->cancelButton()->isEnabled());
        QTest::mouseClick(view.form()->cancelButton(), Qt::LeftButton);
        view.waitForScan();
        QVERIFY(!view.isBusy());
        QVERIFY(view.data() == nullptr);
        QVERIFY2(view.form()->statusText().contains(QStringLiteral("cancelled")), qPrintable(view.form()->statusText()));
        QVERIFY(!view.form()->statusIsError());
        QVERIFY(view.form()->scanButton()->isEnabled());
    }

    // A session keeps the sources, the selection, the search and the steering settings, and restoring scans again.
    void sessionRestoresTheScan()
    {
        Folders folders;
        FeatureActivationsPanel a;
        QSignalSpy started(&a, &Panel::workStarted);
        QSignalSpy finished(&a, &Panel::workFinished);
        a.lmView()->setRequest(folders.request());
        a.lmView()->startScan();
        a.lmView()->waitForScan();
        QCOMPARE(started.count(), 1); // the main window's status bar follows the scan
        QCOMPARE(finished.count(), 1);
        a.lmView()->selectFeature(7);
        a.lmView()->setSearch(QStringLiteral("E"));
        QCOMPARE(a.lmView()->selectedFeature(), 7); // filtering is not selecting
        a.lmView()->showTab(LmFeaturesView::SteeringTab);
        a.lmView()->steeringView()->setStrength(3.5);
        a.lmView()->steeringView()->setSeed(9);
        PanelState state;
        a.saveState(state);
        QVERIFY(state.settings.contains("lm"));

        FeatureActivationsPanel b;
        b.restoreState(state);
        b.lmView()->waitForScan();
        b.waitForTraining(); // the panel's own SAE (not saved trained) trains again
        LmFeaturesView* view = b.lmView();
        QVERIFY(view->data() != nullptr);
        QCOMPARE(view->data()->request().modelDir, folders.request().modelDir);
        QCOMPARE(view->data()->request().corpusPath, folders.corpus);
        QCOMPARE(QString::fromStdString(view->data()->hook().name()), QStringLiteral("blocks.1.mlp.hook_post"));
        QCOMPARE(view->selectedFeature(), 7);
        QCOMPARE(view->searchEdit()->text(), QStringLiteral("E"));
        QCOMPARE(view->proxyModel()->rowCount(), a.lmView()->proxyModel()->rowCount());
        QCOMPARE(view->tabs()->currentIndex(), int(LmFeaturesView::SteeringTab));
        QCOMPARE(view->steeringView()->strength(), 3.5);
        QCOMPARE(view->steeringView()->seed(), 9);
        // A headless render of the whole panel (render --session without --figure) draws the tab the session was
        // saved on: the dictionary here, the language-model tab, scanned, when that one was open.
        b.prepareForRender();
        QVERIFY(!b.lmView()->isVisibleTo(&b));
        PanelState onLm = state;
        onLm.settings["tab"] = 3; // the fourth tab, "Language model"
        FeatureActivationsPanel d;
        d.restoreState(onLm);
        d.prepareForRender();
        QVERIFY(d.lmView()->isVisibleTo(&d));
        QVERIFY(d.lmView()->data() != nullptr);
        QCOMPARE(d.lmView()->selectedFeature(), 7);

        // A state from before the tab existed, and a broken one.
        state.settings.erase("lm");
        FeatureActivationsPanel c;
        c.restoreState(state);
        c.waitForTraining();
        QVERIFY(c.lmView()->data() == nullptr);
        state.settings["lm"] = {{"tokens", "many"}};
        QVERIFY_THROWS_EXCEPTION(featurescope::InputError, c.restoreState(state));
    }

    void sessionNoticesChangedFiles()
    {
        // The session keeps each folder's checksum; restoring it over changed files scans them but says so.
        Folders folders;
        const QString sae = folders.dir.filePath(QStringLiteral("sae"));
        QVERIFY(QDir().mkpath(sae));
        for (const QString& name : QDir(kDataDir + QStringLiteral("dashboard/sae_mlp")).entryList(QDir::Files))
            QVERIFY(QFile::copy(kDataDir + QStringLiteral("dashboard/sae_mlp/") + name, sae + QLatin1Char('/') + name));
        LmDashboardData::Request request = folders.request();
        request.saeDir = sae;
        LmFeaturesView a;
        a.setRequest(request);
        a.startScan();
        a.waitForScan();
        const nlohmann::json saved = a.saveState();
        const std::string modelSum = saved.at("model_checksum").get<std::string>();
        const std::string saeSum = saved.at("sae_checksum").get<std::string>();
        QVERIFY(modelSum.rfind("crc32:", 0) == 0 && modelSum.size() == 14);
        QVERIFY(saeSum.rfind("crc32:", 0) == 0 && saeSum != modelSum);

        auto restored = [&](const nlohmann::json& state) {
            auto view = std::make_unique<LmFeaturesView>();
            view->restoreState(LmFeaturesView::readState(state));
            view->waitForScan();
            QCoreApplication::processEvents();
            return view;
        };
        {
            const auto same = restored(saved);
            QVERIFY2(!same->form()->statusIsError(), qPrintable(same->form()->statusText()));
            QCOMPARE(same->saveState().at("sae_checksum").get<std::string>(), saeSum);
        }
        {
            QFile cfg(sae + QStringLiteral("/cfg.json"));
            QVERIFY(cfg.open(QIODevice::Append));
            cfg.write("\n"); // the same configuration, other bytes
        }
        const auto changed = restored(saved);
        QVERIFY(changed->data() != nullptr); // still scanned
        QVERIFY(changed->form()->statusIsError());
        QVERIFY2(changed->form()->statusText().contains(QStringLiteral("SAE files changed")),
                 qPrintable(changed->form()->statusText()));
        QVERIFY(!changed->form()->statusText().contains(QStringLiteral("model and")));
        QVERIFY(changed->saveState().at("sae_checksum").get<std::string>() != saeSum);
        // A checksum that is not a short string is refused.
        nlohmann::json bad = saved;
        bad["sae_checksum"] = 42;
        QVERIFY_THROWS_EXCEPTION(featurescope::InputError, LmFeaturesView::readState(bad));
    }

    void figuresExport()
    {
        Folders folders;
        FeatureActivationsPanel panel;
        panel.lmView()->setRequest(folders.request());
        panel.lmView()->startScan();
        panel.lmView()->waitForScan();
        panel.lmView()->selectFeature(2);
        panel.lmView()->steeringView()->setPrompt(QStringLiteral("THE DOG")); // bytes inside tiny2's vocabulary
        QTemporaryDir out;
        for (const QString& name : LmFeaturesView::figureNames()) {
            QVERIFY(panel.figureNames().contains(name));
            panel.prepareFigureForRender(name);
            QWidget* widget = panel.figureWidget(name);
            QVERIFY2(widget, qPrintable(name));
            QVERIFY(panel.figureCaption(name).contains(QStringLiteral("blocks.1.mlp.hook_post")));
            for (const char* ext : {"png", "svg", "pdf"}) {
                const QString path = out.filePath(name + QLatin1Char('.') + QLatin1String(ext));
                QCOMPARE(FigureExporter::exportWidget(widget, path, ExportOptions{}), QString());
                QVERIFY2(QFileInfo(path).size() > 1000, qPrintable(path));
            }
        }
        // The dashboard copy shows the selected feature; the steering figure generated its texts.
        auto* card = qobject_cast<LmFeatureCardView*>(panel.figureWidget(QStringLiteral("feature-dashboard")));
        QVERIFY(card && card->feature() == 2);
        QVERIFY(!panel.lmView()->steeringView()->steeredText().isEmpty());
        QVERIFY(panel.figureCaption(QStringLiteral("feature-dashboard")).startsWith(QStringLiteral("Feature 2")));
    }

    // The layout check of the main window sees this tab empty; here it is scanned, with a feature open, in every
    // theme at the smallest size the themes are meant for.
    void scannedViewHasNothingCutOff_data()
    {
        QTest::addColumn<int>("theme");
        QTest::addColumn<QSize>("size");
        QTest::newRow("light 1280x800") << int(Theme::Id::Light) << QSize(1280, 800);
        QTest::newRow("dark 1280x800") << int(Theme::Id::Dark) << QSize(1280, 800);
        QTest::newRow("presentation 1600x900") << int(Theme::Id::Presentation) << QSize(1600, 900);
    }

    void scannedViewHasNothingCutOff()
    {
        QFETCH(int, theme);
        QFETCH(QSize, size);
        Theme::apply(*qobject_cast<QApplication*>(QCoreApplication::instance()), Theme::Id(theme));
        Folders folders;
        FeatureActivationsPanel panel;
        panel.resize(size);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.findChild<QTabWidget*>()->setCurrentWidget(panel.lmView());
        LmFeaturesView* view = panel.lmView();
        view->setRequest(folders.request());
        view->startScan();
        view->waitForScan();
        view->selectFeature(3);
        view->steeringView()->setPrompt(QStringLiteral("THE DOG"));
        view->steeringView()->generate();
        view->steeringView()->waitForFinished();
        QStringList problems;
        for (const LmFeaturesView::Tab tab : {LmFeaturesView::DashboardTab, LmFeaturesView::PromptTab,
                                              LmFeaturesView::SteeringTab, LmFeaturesView::ControlTab}) {
            view->showTab(tab);
            QTest::qWait(20);
            QApplication::processEvents();
            for (const QString& p : LayoutInspector::inspect(&panel))
                problems << view->tabs()->tabText(tab) + QStringLiteral(": ") + p;
        }
        panel.waitForTraining();
        Theme::apply(*qobject_cast<QApplication*>(QCoreApplication::instance()), Theme::Id::Light);
        problems.removeDuplicates();
        if (!problems.isEmpty())
            QFAIL(qPrintable(QStringLiteral("%1 layout problem(s):\n  ").arg(problems.size()) + problems.join(QStringLiteral("\n  "))));
    }

    // "Default model" scans the model and SAE of the cache folder (trained there on first use; here the folder is
    // filled with the test model beforehand, so nothing trains) and names them in the form.
    void defaultModelFromTheCache()
    {
        Folders folders;
        const QString cache = folders.dir.filePath(QStringLiteral("default-lm"));
        QVERIFY(QDir().mkpath(cache + QStringLiteral("/model")) && QDir().mkpath(cache + QStringLiteral("/sae")));
        for (const char* name : {"config.json", "model.safetensors"})
            QVERIFY(QFile::copy(kDataDir + QStringLiteral("tiny2/") + QLatin1String(name), cache + QStringLiteral("/model/") + QLatin1String(name)));
        for (const char* name : {"cfg.json", "sae_weights.safetensors"})
            QVERIFY(QFile::copy(kDataDir + QStringLiteral("dashboard/sae_mlp/") + QLatin1String(name), cache + QStringLiteral("/sae/") + QLatin1String(name)));
        LmFeaturesView view;
        LmDashboardData::Request r = folders.request();
        r.modelDir.clear();
        r.saeDir.clear();
        r.hook = QStringLiteral("blocks.0.hook_resid_pre"); // replaced by the default SAE's own hook
        view.setRequest(r);
        view.startDefaultScan(cache);
        view.waitForScan();
        QVERIFY2(!view.form()->statusIsError(), qPrintable(view.form()->statusText()));
        QVERIFY(view.data() != nullptr);
        QCOMPARE(view.tableModel()->rowCount(), 24);
        QCOMPARE(QString::fromStdString(view.data()->hook().name()), QStringLiteral("blocks.1.mlp.hook_post"));
        QCOMPARE(QFileInfo(view.form()->request().modelDir).canonicalFilePath(), QFileInfo(cache + QStringLiteral("/model")).canonicalFilePath());
        QCOMPARE(QFileInfo(view.form()->request().saeDir).canonicalFilePath(), QFileInfo(cache + QStringLiteral("/sae")).canonicalFilePath());
        QVERIFY(view.form()->defaultButton()->isEnabled());
    }

    void badInputShowsAnError_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("needle");
        QTest::newRow("model folder") << QStringLiteral("model") << QStringLiteral("not a folder");
        QTest::newRow("SAE folder") << QStringLiteral("sae") << QStringLiteral("cfg.json");
        QTest::newRow("wrong hook width") << QStringLiteral("hook") << QStringLiteral("128");
        QTest::newRow("bytes outside the vocabulary") << QStringLiteral("corpus") << QStringLiteral("vocabulary");
    }

    void badInputShowsAnError()
    {
        QFETCH(QString, what);
        QFETCH(QString, needle);
        Folders folders;
        auto view = scannedView(folders);
        const auto before = view->data();
        LmDashboardData::Request r = folders.request();
        if (what == QStringLiteral("model"))
            r.modelDir = folders.dir.filePath(QStringLiteral("missing"));
        else if (what == QStringLiteral("sae"))
            r.saeDir = folders.dir.path();
        else if (what == QStringLiteral("hook"))
            r.hook = QStringLiteral("blocks.0.hook_resid_post"); // d_model 32, the SAE reads 128
        else {
            QFile file(folders.corpus);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray(4096, 'z')); // byte 122 >= vocab 97
        }
        view->setRequest(r);
        view->startScan();
        view->waitForScan();
        QVERIFY(view->form()->statusIsError());
        QVERIFY2(view->form()->statusText().contains(needle, Qt::CaseInsensitive), qPrintable(view->form()->statusText()));
        QCOMPARE(view->data(), before); // the earlier scan stays
        QCOMPARE(view->tableModel()->rowCount(), 24);
    }
};

QTEST_MAIN(TestLmFeaturesView)
#include "tst_lm_features_view.moc"
