// Feature activations panel sessions and token strings, offscreen: save -> restore into a fresh panel draws the same
// pixels without retraining; every kind of bad state throws one InputError line and leaves the panel exactly as it
// was; captions name the parameters; imported activations with token strings show highlighted token contexts.
#include "panels/features/FeatureActivationsPanel.h"
#include "panels/features/SaeStudiesView.h"
#include "panels/lm/LmFeaturesView.h"
#include "panels/features/FeatureControlsWidget.h"
#include "panels/features/FeatureDetailView.h"
#include "panels/features/ImportedActivationsHandoff.h"
#include "panels/features/MetricsStrip.h"
#include "panels/features/ControlView.h"
#include "panels/features/TokenContextView.h"

#include "common/InputError.h"
#include "experiments/ControlComparison.h"
#include "lm/ByteTokenizer.h"
#include "lm/GptModel.h"
#include "lm/LanguageModel.h"
#include "lm/LmHarvester.h"
#include "io/NpyFile.h"
#include "sae/ActivationImport.h"
#include "session/PanelState.h"

#include <QDateTime>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <thread>

using featurescope::SaeExperimentConfig;
using featurescope::InputError;
using featurescope::PanelState;

namespace {

SaeExperimentConfig tinyConfig()
{
    SaeExperimentConfig c;
    c.source = SaeExperimentConfig::Source::Synthetic;
    c.syntheticFeatures = 32;
    c.syntheticDimension = 16;
    c.syntheticMeanActive = 3.0;
    c.sae.latentDim = 64;
    c.sae.l1 = 6e-3;
    c.training.steps = 300;
    c.training.batch = 128;
    c.training.learningRate = 3e-3;
    c.training.seed = 7;
    return c;
}

std::unique_ptr<FeatureActivationsPanel> makePanel()
{
    auto panel = std::make_unique<FeatureActivationsPanel>();
    panel->setAttribute(Qt::WA_DontShowOnScreen);
    panel->resize(1280, 760);
    panel->show();
    return panel;
}

QImage picture(FeatureActivationsPanel& panel)
{
    QCoreApplication::sendPostedEvents();
    return panel.grab().toImage();
}

} // namespace

class TestFeaturesSession : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void saveRestoreDrawsTheSameFigures();
    void renderOfARestoredSessionDoesNotRetrain();
    void badStateLeavesPanelUnchanged_data();
    void badStateLeavesPanelUnchanged();
    void importedFileIsReReadAndMustExist();
    void captionNamesParameters();
    void tokensShowAsHighlightedText();
    void harvestedLanguageModelOpensWithTokens();

private:
    QTemporaryDir m_dir;
};

// What `render --session` does: restore, then prepare a figure at once. The restored SAE, its selected feature and
// the saved randomized-control results are drawn as saved: nothing is trained again (render once retrained the SAE,
// selected another feature and re-ran the control).
void TestFeaturesSession::renderOfARestoredSessionDoesNotRetrain()
{
    auto a = makePanel();
    a->controls()->setConfig(tinyConfig());
    a->startTraining();
    a->waitForTraining();
    a->setSelectedFeature(9);
    PanelState state;
    a->saveState(state);
    featurescope::ControlComparison control;
    control.latentDim = 64;
    control.steps = 300;
    control.trained.name = "trained MLP";
    control.trained.accuracy = 0.84;
    control.trained.purities = {0.9, 0.8, 0.7};
    control.trained.coherences = {0.5, 0.4, 0.3};
    control.trained.densities = {0.1, 0.0, 0.05};
    control.shuffled = control.trained;
    control.shuffled.name = "shuffled weights";
    control.shuffled.accuracy = 0.1;
    control.shuffled.purities = {0.3, 0.2, 0.25};
    state.settings["control"] = control;

    for (const QString& figure : {QStringLiteral("feature-view"), QStringLiteral("control-purity")}) {
        auto b = makePanel();
        b->restoreState(state);
        b->prepareFigureForRender(figure); // no wait in between, as the command does
        QVERIFY(b->snapshot() && b->snapshot()->final);
        QVERIFY2(a->snapshot()->sae->parameters() == b->snapshot()->sae->parameters(), qPrintable(figure));
        QCOMPARE(b->selectedFeature(), 9);
        QVERIFY(!b->isBusy());
        QVERIFY(b->controlView()->comparison());
        QCOMPARE(b->controlView()->comparison()->shuffled.purities, control.shuffled.purities);
    }
}

void TestFeaturesSession::saveRestoreDrawsTheSameFigures()
{
    auto a = makePanel();
    a->controls()->setConfig(tinyConfig());
    a->startTraining();
    a->waitForTraining();
    QVERIFY(a->snapshot() && a->snapshot()->final);
    a->setSelectedFeature(5);
    PanelState state;
    a->saveState(state);
    QVERIFY(state.arrays.count("sae_parameters"));
    QCOMPARE(state.settings["selected_feature"].get<int>(), 5);

    auto b = makePanel();
    b->restoreState(state);
    b->waitForTraining();
    QVERIFY(b->snapshot() && b->snapshot()->final);
    QCOMPARE(b->selectedFeature(), 5);
    // The same weights (not retrained: bit-identical parameters) and the same evaluation.
    QVERIFY(a->snapshot()->sae->parameters() == b->snapshot()->sae->parameters());
    QCOMPARE(b->snapshot()->densities, a->snapshot()->densities);
    QCOMPARE(b->snapshot()->lossHistory, a->snapshot()->lossHistory);
    // Every figure of the dictionary and training views, and the metrics strip, pixel for pixel. (The controls'
    // status line says "restored" instead of "trained", which is right.)
    QStringList names;
    for (const QString& name : a->figureNames())
        if (!name.startsWith(QLatin1String("control")) && !LmFeaturesView::figureNames().contains(name) &&
            !SaeStudiesView::figureNames().contains(name))
            names << name; // the Language model tab's figures are tst_lm_features_view's
    QCOMPARE(names.size(), 8);
    for (const QString& name : names) {
        QWidget* wa = a->figureWidget(name);
        QWidget* wb = b->figureWidget(name);
        QVERIFY2(wa && wb, qPrintable(name));
        if (!wa->parentWidget()) { // parentless export copies: lay them out at one size
            wa->resize(900, 600);
            wb->resize(900, 600);
        }
        QCoreApplication::sendPostedEvents();
        const QImage ia = wa->grab().toImage(), ib = wb->grab().toImage();
        QVERIFY2(!ia.isNull() && ia.size() == ib.size(), qPrintable(name));
        if (ia != ib) {
            QRect box;
            for (int y = 0; y < ia.height(); ++y)
                for (int x = 0; x < ia.width(); ++x)
                    if (ia.pixel(x, y) != ib.pixel(x, y))
                        box |= QRect(x, y, 1, 1);
            const QString keep = qEnvironmentVariable("FEATURESCOPE_DIFF_DIR");
            if (!keep.isEmpty()) {
                ia.save(keep + QStringLiteral("/a-%1.png").arg(name));
                ib.save(keep + QStringLiteral("/b-%1.png").arg(name));
            }
            QFAIL(qPrintable(QStringLiteral("%1 differs in %2,%3 %4x%5").arg(name).arg(box.x()).arg(box.y()).arg(box.width()).arg(box.height())));
        }
    }
    QCOMPARE(a->metricsStrip()->grab().toImage(), b->metricsStrip()->grab().toImage());
}

void TestFeaturesSession::badStateLeavesPanelUnchanged_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("message");
    QTest::newRow("no version") << "version" << "version";
    QTest::newRow("future version") << "version=99" << "version 99";
    QTest::newRow("unknown source") << "source" << "source";
    QTest::newRow("latents out of range") << "latents" << "latents";
    QTest::newRow("weights missing") << "weights" << "sae_parameters";
    QTest::newRow("weights wrong size") << "short" << "sae_parameters is [";
    QTest::newRow("weights NaN") << "nan" << "NaN";
    QTest::newRow("selection not a number") << "selected" << "selected_feature";
    QTest::newRow("file source without file") << "file" << "file";
}

void TestFeaturesSession::badStateLeavesPanelUnchanged()
{
    QFETCH(QString, damage);
    QFETCH(QString, message);
    auto panel = makePanel();
    panel->controls()->setConfig(tinyConfig());
    panel->startTraining();
    panel->waitForTraining();
    panel->setSelectedFeature(3);
    PanelState good;
    panel->saveState(good);

    PanelState bad = good;
    auto& j = bad.settings;
    if (damage == QLatin1String("version"))
        j.erase("version");
    else if (damage == QLatin1String("version=99"))
        j["version"] = 99;
    else if (damage == QLatin1String("source"))
        j["config"]["source"] = "gpt-5";
    else if (damage == QLatin1String("latents"))
        j["config"]["sae"]["latents"] = -4;
    else if (damage == QLatin1String("weights"))
        bad.arrays.erase("sae_parameters");
    else if (damage == QLatin1String("short")) {
        const std::vector<float> few(10, 0.5f);
        bad.arrays["sae_parameters"] = featurescope::ArrayData::fromFloats({10}, few.data());
    } else if (damage == QLatin1String("nan")) {
        auto values = bad.arrays["sae_parameters"].toFloatVector();
        values[17] = std::nanf("");
        bad.arrays["sae_parameters"] = featurescope::ArrayData::fromFloats({values.size()}, values.data());
    } else if (damage == QLatin1String("selected"))
        j["selected_feature"] = "three";
    else if (damage == QLatin1String("file"))
        j["config"]["source"] = "file";

    const auto before = panel->snapshot();
    const SaeExperimentConfig configBefore = panel->controls()->config();
    const QImage pictureBefore = picture(*panel);
    try {
        panel->restoreState(bad);
        QFAIL("accepted a bad state");
    } catch (const InputError& e) {
        const QString text = QString::fromUtf8(e.what());
        QVERIFY2(text.contains(message), qPrintable(text));
        QVERIFY2(!text.contains(QLatin1Char('\n')), qPrintable(text));
    }
    QVERIFY(!panel->isBusy());
    QCOMPARE(panel->snapshot(), before);
    QCOMPARE(panel->selectedFeature(), 3);
    QCOMPARE(panel->controls()->config().sae.latentDim, configBefore.sae.latentDim);
    QCOMPARE(panel->controls()->source(), configBefore.source);
    QCOMPARE(picture(*panel), pictureBefore);
}

void TestFeaturesSession::importedFileIsReReadAndMustExist()
{
    // 300 rows of d = 8 activations in a .npy: imported, trained, saved; the file moves; restore says so.
    const QString path = m_dir.filePath(QStringLiteral("acts.npy"));
    std::vector<float> values(300 * 8);
    for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = float(std::max(0.0, std::sin(0.37 * double(i)) + 0.2 * double(i % 5)));
    featurescope::NpyFile::write(path.toStdString(), featurescope::ArrayData::fromFloats({300, 8}, values.data()));
    auto panel = makePanel();
    auto imported = std::make_shared<featurescope::ImportedActivations>(featurescope::ActivationImport::load(path.toStdString()));
    panel->importActivations(imported);
    panel->controls()->setConfig([&] {
        SaeExperimentConfig c = panel->controls()->config();
        c.sae.latentDim = 32;
        c.training.steps = 200;
        c.training.batch = 64;
        return c;
    }());
    panel->startTraining();
    panel->waitForTraining();
    QVERIFY(panel->snapshot() && panel->snapshot()->final);
    PanelState state;
    panel->saveState(state);
    QCOMPARE(QString::fromStdString(state.settings["config"]["file"]["path"].get<std::string>()), path);

    auto restored = makePanel();
    restored->restoreState(state);
    restored->waitForTraining();
    QVERIFY(restored->snapshot());
    QCOMPARE(restored->snapshot()->densities, panel->snapshot()->densities);

    // Opening a session reads the file on the loader's worker thread (preloadState); restoreState then takes those
    // very activations instead of reading the file again on the GUI thread.
    featurescope::ActivationImportOptions options;
    options.arrayName = state.settings["config"]["file"]["array"].get<std::string>();
    options.labelsName = state.settings["config"]["file"]["labels"].get<std::string>();
    options.tokensName = state.settings["config"]["file"]["tokens"].get<std::string>();
    std::thread([&] { restored->preloadState(state); }).join();
    const auto handed = ImportedActivationsHandoff::take(path.toStdString(), options);
    QVERIFY(handed);
    QCOMPARE(handed->set.activations.cols(), 300);
    QVERIFY(!ImportedActivationsHandoff::take(path.toStdString(), options)); // handed out once
    std::thread([&] { restored->preloadState(state); }).join();
    auto fourth = makePanel();
    fourth->restoreState(state);
    QVERIFY(!ImportedActivationsHandoff::take(path.toStdString(), options)); // the restore took it
    fourth->waitForTraining();
    QCOMPARE(fourth->snapshot()->densities, panel->snapshot()->densities);
    // A file changed after the preload is read again, not taken stale.
    std::thread([&] { restored->preloadState(state); }).join();
    QFile touched(path);
    QVERIFY(touched.open(QIODevice::ReadWrite));
    QVERIFY(touched.setFileTime(QDateTime::currentDateTime().addSecs(60), QFileDevice::FileModificationTime));
    touched.close();
    QVERIFY(!ImportedActivationsHandoff::take(path.toStdString(), options));

    QVERIFY(QFile::rename(path, path + QStringLiteral(".moved")));
    auto third = makePanel();
    try {
        third->restoreState(state);
        QFAIL("restored from a missing file");
    } catch (const InputError& e) {
        const QString text = QString::fromUtf8(e.what());
        QVERIFY2(text.startsWith(path) && text.contains(QStringLiteral("gone")), qPrintable(text));
    }
    QVERIFY(!third->snapshot());
    QVERIFY(QFile::rename(path + QStringLiteral(".moved"), path));
}

void TestFeaturesSession::captionNamesParameters()
{
    auto panel = makePanel();
    panel->controls()->setConfig(tinyConfig());
    panel->startTraining();
    panel->waitForTraining();
    panel->setSelectedFeature(2);
    const QString caption = panel->figureCaption(QStringLiteral("top-examples"));
    for (const QString& part : {QStringLiteral("Feature 2"), QStringLiteral("synthetic (F = 32, d = 16"),
                                QStringLiteral("d_sae = 64"), QStringLiteral("300 steps"), QStringLiteral("batch 128"),
                                QStringLiteral("seed 7"), QStringLiteral("λ = 0.006")})
        QVERIFY2(caption.contains(part), qPrintable(caption + QStringLiteral(" lacks ") + part));
    QVERIFY(caption.count(QLatin1Char('\n')) <= 1);
    QVERIFY(!panel->figureCaption(QStringLiteral("density-histogram")).startsWith(QLatin1String("Feature")));
}

// The whole path of a language-model feature study: `lm harvest` writes a hook's activations with their tokens, the
// panel imports the file, an SAE trains on it, and a feature's top examples are shown as the harvested text.
void TestFeaturesSession::harvestedLanguageModelOpensWithTokens()
{
    featurescope::GptConfig c;
    c.layers = 1;
    c.width = 16;
    c.heads = 2;
    c.inner = 24;
    c.vocabSize = 256;
    c.positions = 16;
    featurescope::GptWeights w(c);
    w.initialize(3);
    const featurescope::LanguageModel lm(featurescope::GptModel(std::move(w)),
                                         std::make_shared<featurescope::ByteTokenizer>());
    std::string text;
    for (int i = 0; i < 40; ++i)
        text += "the cat sat on the mat; ";
    const std::string path = m_dir.filePath(QStringLiteral("harvest.npz")).toStdString();
    featurescope::HarvestSettings settings;
    settings.hook = "blocks.0.mlp.hook_post";
    settings.maxTokens = 640;
    const auto harvested = featurescope::LmHarvester::run(lm, text, settings, path);
    QCOMPARE(harvested.rows, std::uint64_t(640));

    featurescope::ActivationImportOptions options;
    options.arrayName = "acts";
    auto imported = std::make_shared<featurescope::ImportedActivations>(featurescope::ActivationImport::load(path, options));
    QVERIFY(imported->hasTokens());
    auto panel = makePanel();
    panel->importActivations(imported);
    panel->controls()->setConfig([&] {
        SaeExperimentConfig cfg = panel->controls()->config();
        cfg.sae.latentDim = 32;
        cfg.training.steps = 100;
        cfg.training.batch = 64;
        return cfg;
    }());
    panel->startTraining();
    panel->waitForTraining();
    QVERIFY(panel->snapshot() && panel->snapshot()->hasTokens());
    int fired = -1;
    for (int f = 0; f < panel->snapshot()->latentDim() && fired < 0; ++f)
        if (panel->snapshot()->maxActivations[std::size_t(f)] > 0.0f)
            fired = f;
    QVERIFY(fired >= 0);
    panel->setSelectedFeature(fired);
    TokenContextView* top = panel->detailView()->topTokens();
    QVERIFY(top->isVisible() && !top->rows().empty());
    // Every example is a window of the harvested text: its tokens, joined, are a piece of the corpus.
    for (const auto& row : top->rows()) {
        QString window;
        for (const auto& token : row.tokens)
            window += token.text;
        QVERIFY2(QString::fromStdString(text + text).contains(window), qPrintable(window));
    }
}

void TestFeaturesSession::tokensShowAsHighlightedText()
{
    // One stream of 400 "tokens"; activations fire on the token "cat" (column 0) and weakly elsewhere.
    const int rows = 400, d = 6;
    const QStringList words{QStringLiteral("the"), QStringLiteral(" cat"), QStringLiteral(" sat"), QStringLiteral(" on"),
                            QStringLiteral(" a"), QStringLiteral(" mat"), QStringLiteral("\n")};
    std::vector<float> values(std::size_t(rows * d), 0.0f);
    QStringList tokens;
    for (int r = 0; r < rows; ++r) {
        const QString& w = words[(r * 3 + r / 7) % words.size()];
        tokens << w;
        for (int c = 0; c < d; ++c)
            values[std::size_t(r * d + c)] = 0.05f * float((r + c) % 3);
        if (w == QLatin1String(" cat"))
            values[std::size_t(r * d)] = 2.0f + 0.01f * float(r % 10);
    }
    const QString path = m_dir.filePath(QStringLiteral("tokens.npy"));
    featurescope::NpyFile::write(path.toStdString(), featurescope::ArrayData::fromFloats({std::uint64_t(rows), std::uint64_t(d)}, values.data()));
    QFile sidecar(path + QStringLiteral(".tokens.json"));
    QVERIFY(sidecar.open(QIODevice::WriteOnly));
    QByteArray json = "[";
    for (int r = 0; r < rows; ++r) {
        QString t = tokens[r];
        t.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
        json += (r ? "," : "") + ('"' + t.toUtf8() + '"');
    }
    sidecar.write(json + "]");
    sidecar.close();

    auto imported = std::make_shared<featurescope::ImportedActivations>(featurescope::ActivationImport::load(path.toStdString()));
    QVERIFY(imported->hasTokens());
    QCOMPARE(int(imported->tokens.size()), rows);
    QCOMPARE(QString::fromStdString(imported->tokens[2]), tokens[2]);
    auto panel = makePanel();
    panel->importActivations(imported);
    panel->controls()->setConfig([&] {
        SaeExperimentConfig c = panel->controls()->config();
        c.sae.latentDim = 16;
        c.training.steps = 200;
        c.training.batch = 64;
        return c;
    }());
    panel->startTraining();
    panel->waitForTraining();
    QVERIFY(panel->snapshot() && panel->snapshot()->hasTokens());
    // The feature that fires most on " cat".
    int best = -1;
    float bestValue = 0.0f;
    for (int f = 0; f < panel->snapshot()->latentDim(); ++f)
        if (panel->snapshot()->maxActivations[std::size_t(f)] > bestValue) {
            bestValue = panel->snapshot()->maxActivations[std::size_t(f)];
            best = f;
        }
    panel->setSelectedFeature(best);
    TokenContextView* top = panel->detailView()->topTokens();
    QVERIFY(top->isVisible());
    QVERIFY(!top->rows().empty());
    for (const auto& row : top->rows()) {
        QVERIFY(row.centre >= 0 && row.centre < int(row.tokens.size()));
        QVERIFY(row.tokens.size() > 1); // a window of neighbours, not one token
        QCOMPARE(row.tokens[std::size_t(row.centre)].text, QStringLiteral(" cat"));
        QCOMPARE(row.tokens[std::size_t(row.centre)].activation, row.value);
    }
    // Shading grows with activation and stays translucent (the text colour of the theme shows through).
    QVERIFY(TokenContextView::shade(1.0f, 1.0f).alphaF() > TokenContextView::shade(0.2f, 1.0f).alphaF());
    QVERIFY(TokenContextView::shade(1.0f, 1.0f).alphaF() < 0.9);
    QCOMPARE(TokenContextView::displayText(QStringLiteral("\n")), QString(QChar(0x21B5)));
    const QString shot = qEnvironmentVariable("FEATURESCOPE_TOKENS_PNG");
    if (!shot.isEmpty())
        panel->grab().save(shot);
    // The exported figure is a token view too.
    std::unique_ptr<QWidget> figure(panel->detailView()->createFigure(FeatureDetailView::Part::TopExamples));
    QVERIFY(qobject_cast<TokenContextView*>(figure.get()));
}

QTEST_MAIN(TestFeaturesSession)
#include "tst_features_session.moc"
