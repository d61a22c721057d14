// Panel sessions: a panel saved, written to a session file, read back and restored into a fresh panel draws the
// same pixels in every figure (superposition and energy), without retraining; a bad state throws one line and
// leaves the panel as it was; captions name the parameters; the energy panel's colours follow the theme.
#include "common/FigureExporter.h"
#include "common/FigureText.h"
#include "common/FigureTextState.h"
#include "common/InputError.h"
#include "common/Theme.h"
#include "panels/EnergyBoundPanel.h"
#include "panels/superposition/SuperpositionPanel.h"
#include "panels/superposition/ToyControlsWidget.h"
#include "session/SessionFile.h"

#include <nlohmann/json.hpp>

#include <QApplication>
#include <QLabel>
#include <QTest>

using featurescope::InputError;
using featurescope::PanelState;
using featurescope::Session;
using featurescope::SessionFile;

namespace {

QImage render(Panel* panel, const QString& figure)
{
    ExportOptions options;
    options.logicalSize = QSize(640, 400);
    panel->prepareFigureForRender(figure);
    QWidget* target = panel->figureWidget(figure);
    FigureExporter::prepareWidget(panel, options.logicalSize);
    QString error;
    QImage image = FigureExporter::renderImage(target, options, &error);
    if (!error.isEmpty())
        qWarning("%s", qPrintable(error));
    return image;
}

// Through the real file format: serialise, parse, and hand back the panel's state.
PanelState throughFile(const PanelState& state, const std::string& id)
{
    Session session;
    session.panels[id] = state;
    const std::string bytes = SessionFile::serialize(session);
    return SessionFile::parse("test.fss", reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()).panels.at(id);
}

int differingPixels(const QImage& a, const QImage& b)
{
    if (a.size() != b.size())
        return -1;
    const QImage x = a.convertToFormat(QImage::Format_ARGB32), y = b.convertToFormat(QImage::Format_ARGB32);
    int count = 0;
    for (int r = 0; r < x.height(); ++r)
        for (int c = 0; c < x.width(); ++c)
            count += x.pixel(c, r) != y.pixel(c, r);
    return count;
}

void checkSameStates(const PanelState& a, const PanelState& b)
{
    const std::string diff = nlohmann::json::diff(a.settings, b.settings).dump();
    QVERIFY2(a.settings == b.settings, diff.c_str());
    QCOMPARE(a.arrays.size(), b.arrays.size());
    for (const auto& [name, array] : a.arrays)
        QVERIFY2(b.arrays.at(name).identical(array), name.c_str());
}

} // namespace

class TestSessionPanels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void energyRoundTripPixels();
    void energyBadStateLeavesPanelUnchanged_data();
    void energyBadStateLeavesPanelUnchanged();
    void energyColoursFollowTheme();
    void superpositionRoundTripPixels();
    void superpositionBadStateLeavesPanelUnchanged_data();
    void superpositionBadStateLeavesPanelUnchanged();
    void superpositionWithoutWeightsTrainsFromSeed();
    void phaseDiagramTravelsWithTheSession();
    void captions();
    void figureTextEditsTravelWithTheSession();

private:
    PanelState trainedSuperposition(SuperpositionPanel& panel);
};

void TestSessionPanels::initTestCase() { Theme::apply(*qApp, Theme::Id::Light); }

void TestSessionPanels::energyRoundTripPixels()
{
    EnergyBoundPanel a;
    QVERIFY(a.selectPreset(QStringLiteral("h100-sxm5")));
    PanelState state;
    a.saveState(state);
    state.settings["utilization_percent"] = 45.0;
    state.settings["bits_per_op"] = 32.0;
    state.settings["count"] = "mac";
    state.settings["growth_per_year"] = 6.0;
    state.settings["figure"] = "fp32";
    a.restoreState(state);
    QCOMPARE(a.currentInput().bitsPerOp, 32.0);
    QCOMPARE(a.selectedPresetId(), QStringLiteral("h100-sxm5")); // restoring is not an edit: the preset stays
    PanelState saved;
    a.saveState(saved);

    EnergyBoundPanel b; // starts on the A100
    QVERIFY(a.resultText() != b.resultText());
    b.restoreState(throughFile(saved, "energy"));
    QCOMPARE(b.resultText(), a.resultText());
    PanelState again;
    b.saveState(again);
    checkSameStates(saved, again);
    for (const QString& figure : a.figureNames()) {
        const QImage before = render(&a, figure), after = render(&b, figure);
        QVERIFY(!before.isNull());
        QCOMPARE(differingPixels(before, after), 0);
    }
    // And the whole panel.
    ExportOptions options;
    options.logicalSize = QSize(1280, 720);
    QCOMPARE(differingPixels(FigureExporter::renderImage(&a, options), FigureExporter::renderImage(&b, options)), 0);
}

void TestSessionPanels::energyBadStateLeavesPanelUnchanged_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value"); // JSON
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown preset") << "preset" << "\"z9000\"" << "unknown hardware preset";
    QTest::newRow("negative power") << "power_w" << "-5" << "\"power_w\"";
    QTest::newRow("bits not a number") << "bits_per_op" << "\"many\"" << "must be a number";
    QTest::newRow("bad figure") << "figure" << "\"fp8\"" << "must be one of";
    QTest::newRow("missing") << "temperature_k" << "" << "is missing";
}

void TestSessionPanels::energyBadStateLeavesPanelUnchanged()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, expected);
    EnergyBoundPanel panel;
    panel.selectPreset(QStringLiteral("v100-sxm2"));
    PanelState before;
    panel.saveState(before);
    PanelState bad = before;
    bad.settings["utilization_percent"] = 12.0; // a valid change that must not be applied either
    if (value.isEmpty())
        bad.settings.erase(key.toStdString());
    else
        bad.settings[key.toStdString()] = nlohmann::json::parse(value.toStdString());
    try {
        panel.restoreState(bad);
        QFAIL("a bad state must throw");
    } catch (const InputError& e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.contains(expected), qPrintable(what));
        QVERIFY(!what.contains(QLatin1Char('\n')));
    }
    PanelState after;
    panel.saveState(after);
    checkSameStates(before, after);
}

void TestSessionPanels::energyColoursFollowTheme()
{
    EnergyBoundPanel panel;
    auto* ratio = panel.findChild<QLabel*>(QStringLiteral("ratioLabel"));
    auto* note = panel.findChild<QLabel*>(QStringLiteral("presetNote"));
    QVERIFY(ratio && note);
    auto color = [](QLabel* label) {
        const QString sheet = label->styleSheet();
        const int hash = sheet.indexOf(QLatin1Char('#'));
        return QColor(sheet.mid(hash, 7));
    };
    QVERIFY(color(ratio).isValid());
    QVERIFY(color(ratio).lightness() < 110); // dark text on white
    Theme::apply(*qApp, Theme::Id::Dark);
    QCoreApplication::sendPostedEvents();
    QVERIFY2(color(ratio).lightness() > 150, qPrintable(ratio->styleSheet())); // light text on the dark background
    QVERIFY2(color(note).lightness() > 120, qPrintable(note->styleSheet()));
    Theme::apply(*qApp, Theme::Id::Light);
    QCoreApplication::sendPostedEvents();
    QVERIFY(color(note).lightness() < 120);
}

PanelState TestSessionPanels::trainedSuperposition(SuperpositionPanel& panel)
{
    PanelState state;
    panel.saveState(state);
    auto& controls = state.settings["controls"];
    controls["steps"] = 600;
    controls["threads"] = 1;
    controls["seed"] = 3;
    panel.restoreState(state); // only the controls change (no weights yet)
    panel.startTraining();
    panel.waitForTraining();
    PanelState trained;
    panel.saveState(trained);
    // A selection, another tab and a time-slider position, set through the session itself.
    trained.settings["view"]["selected_feature"] = 2;
    trained.settings["view"]["selected_instance"] = 5;
    trained.settings["view"]["tab"] = "gram";
    trained.settings["view"]["snapshot"] = 3;
    trained.settings["scale_lab"]["scale_step"] = 30;
    panel.restoreState(trained);
    return trained;
}

void TestSessionPanels::superpositionRoundTripPixels()
{
    SuperpositionPanel a;
    const PanelState trained = trainedSuperposition(a);
    QVERIFY(a.result());
    QCOMPARE(a.result()->stepsDone, 600);
    QCOMPARE(a.selectedFeature(), 2);
    QCOMPARE(a.selectedInstance(), 5);
    PanelState saved;
    a.saveState(saved);
    QVERIFY(saved.settings["view"] == trained.settings["view"]);
    QCOMPARE(saved.settings["scale_lab"]["scale_step"].get<int>(), 30);
    QCOMPARE(saved.settings["scale_lab"]["scale"].get<double>(), std::pow(10.0, -0.7));
    QVERIFY(saved.arrays.count("W") && saved.arrays.count("snapshot_W") && saved.arrays.count("loss"));

    SuperpositionPanel b;
    b.restoreState(throughFile(saved, "superposition"));
    QVERIFY(!b.isBusy()); // restoring never trains
    QVERIFY(b.result());
    QCOMPARE(b.result()->stepsDone, 600);
    QVERIFY(b.result()->model.instance(5).W.isApprox(a.result()->model.instance(5).W, 0.0f));
    QCOMPARE(b.selectedFeature(), 2);
    PanelState again;
    b.saveState(again);
    checkSameStates(saved, again);
    for (const QString& figure : {QStringLiteral("feature-arrows"), QStringLiteral("gram-heatmap"),
                                  QStringLiteral("norm-bars"), QStringLiteral("sticky-fraction"), QStringLiteral("loss"),
                                  QStringLiteral("neuron-bars")}) {
        const QImage before = render(&a, figure), after = render(&b, figure);
        QVERIFY(!before.isNull());
        QVERIFY2(differingPixels(before, after) == 0, qPrintable(figure));
        QVERIFY(!b.isBusy());
    }
    QCOMPARE(b.result()->stepsDone, 600); // rendering did not retrain either
}

void TestSessionPanels::superpositionBadStateLeavesPanelUnchanged_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("W of the wrong shape") << 0 << "the array 'W' is";
    QTest::newRow("W missing") << 1 << "the array 'W' is missing";
    QTest::newRow("feature out of range") << 2 << "selected feature 7 does not exist";
    QTest::newRow("bad control") << 3 << "\"batch\"";
    QTest::newRow("steps done above steps") << 4 << "\"steps_done\"";
    QTest::newRow("unknown model kind") << 5 << "must be one of";
    QTest::newRow("phase cell of an unknown region") << 6 << "phase.result: \"empirical\"";
    QTest::newRow("phase cells missing") << 7 << "needs 9 regions";
}

void TestSessionPanels::superpositionBadStateLeavesPanelUnchanged()
{
    QFETCH(int, kind);
    QFETCH(QString, expected);
    static SuperpositionPanel* panel = nullptr; // trained once for all rows
    if (!panel) {
        panel = new SuperpositionPanel;
        trainedSuperposition(*panel);
    }
    PanelState before;
    panel->saveState(before);
    const auto result = panel->result();
    PanelState bad = before;
    switch (kind) {
    case 0: {
        const std::vector<float> w(12, 1.0f);
        bad.arrays["W"] = featurescope::ArrayData::fromFloats({2, 2, 3}, w.data());
        break;
    }
    case 1: bad.arrays.erase("W"); break;
    case 2: bad.settings["view"]["selected_feature"] = 7; break;
    case 3: bad.settings["controls"]["batch"] = 0; break;
    case 4: bad.settings["result"]["steps_done"] = 601; break;
    case 5: bad.settings["result"]["model"]["kind"] = "transformer"; break;
    case 6:
    case 7:
        bad.settings["phase"]["result"] = {{"features", 3},
                                           {"relative_importance", {0.1, 1.0, 10.0}},
                                           {"density", {1.0, 0.1, 0.01}},
                                           {"empirical", kind == 6 ? std::vector<int>(9, 5) : std::vector<int>(8, 1)},
                                           {"extra_norm", std::vector<double>(kind == 6 ? 9 : 8, 1.0)}};
        break;
    }
    bad.settings["view"]["tab"] = 4; // valid, must not be applied
    try {
        panel->restoreState(bad);
        QFAIL("a bad state must throw");
    } catch (const InputError& e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.startsWith(QStringLiteral("superposition panel")), qPrintable(what));
        QVERIFY2(what.contains(expected), qPrintable(what));
    }
    QCOMPARE(panel->result(), result);
    PanelState after;
    panel->saveState(after);
    checkSameStates(before, after);
}

void TestSessionPanels::superpositionWithoutWeightsTrainsFromSeed()
{
    SuperpositionPanel panel;
    PanelState state;
    panel.saveState(state);
    QVERIFY(state.settings["result"].is_null()); // never trained: nothing to store
    state.settings["controls"]["steps"] = 200;
    panel.restoreState(state);
    QVERIFY(!panel.isBusy()); // not shown yet: trains when shown or rendered
    panel.prepareForRender();
    QVERIFY(panel.result());
    QCOMPARE(panel.result()->training.steps, 200);
}

void TestSessionPanels::phaseDiagramTravelsWithTheSession()
{
    // The phase diagram is saved with the session: restoring and rendering it trains nothing.
    SuperpositionPanel a;
    PanelState state;
    a.saveState(state);
    state.settings["phase"]["grid"] = 3;
    state.settings["phase"]["steps"] = 200;
    state.settings["phase"]["features"] = 2;
    a.restoreState(state);
    a.computePhaseDiagram();
    a.waitForPhaseDiagram();
    PanelState saved;
    a.saveState(saved);
    QCOMPARE(saved.settings["phase"]["result"]["empirical"].size(), std::size_t(9));

    SuperpositionPanel b;
    b.restoreState(throughFile(saved, "superposition"));
    QVERIFY(!b.isBusy());
    const QImage before = render(&a, QStringLiteral("phase-diagram"));
    const QImage after = render(&b, QStringLiteral("phase-diagram"));
    QVERIFY(!b.isBusy()); // rendering used the saved cells
    QVERIFY(!before.isNull());
    QCOMPARE(differingPixels(before, after), 0);
    PanelState again;
    b.saveState(again);
    QVERIFY(again.settings["phase"] == saved.settings["phase"]);

    // A session without one (or an older file) leaves the plot empty until Compute.
    saved.settings["phase"].erase("result");
    b.restoreState(saved);
    PanelState cleared;
    b.saveState(cleared);
    QVERIFY(cleared.settings["phase"]["result"].is_null());
}

void TestSessionPanels::captions()
{
    SuperpositionPanel toy;
    trainedSuperposition(toy);
    const QString arrows = toy.figureCaption(QStringLiteral("feature-arrows"));
    for (const char* part : {"ReLU-output toy model", "n = 5", "m = 2", "8 instance", "from 1 to 0.05", "importance 0.9^i",
                             "600 steps", "batch 1024", "lr 0.001", "seed 3", "weights at step"})
        QVERIFY2(arrows.contains(QString::fromUtf8(part)), qPrintable(arrows));
    QVERIFY(arrows.count(QLatin1Char('\n')) == 1);
    QVERIFY(toy.figureCaption(QStringLiteral("gram-heatmap")).contains(QStringLiteral("instance 1")));
    QVERIFY(toy.figureCaption(QStringLiteral("phase-diagram")).contains(QStringLiteral("grid")));

    EnergyBoundPanel energy;
    energy.selectPreset(QStringLiteral("a100-sxm4"));
    const QString caption = energy.figureCaption(QStringLiteral("ratio-vs-temperature"));
    for (const char* part : {"temperature", "A100 SXM4", "312 TFLOP/s", "400 W", "300 K", "16 bits", "2.79"})
        QVERIFY2(caption.contains(QString::fromUtf8(part)), qPrintable(caption));
    QVERIFY(caption.count(QLatin1Char('\n')) == 1);
}

void TestSessionPanels::figureTextEditsTravelWithTheSession()
{
    // A title edited in the export dialog is part of the screen: a session carries it, through the file.
    EnergyBoundPanel a;
    const QString figure = a.figureNames().first();
    const QList<QCustomPlot*> plots = FigureText::plotsIn(a.figureWidget(figure));
    QVERIFY(!plots.isEmpty());
    const QList<FigureTextEntry> entries = FigureText::entries(plots.first());
    QVERIFY(!entries.isEmpty());
    FigureText::setOverride(plots.first(), entries.first().key, QStringLiteral("Edited for the talk"));
    PanelState state;
    a.saveState(state);
    FigureTextState::save(&a, state);
    QVERIFY(state.settings.contains(FigureTextState::kSettingsKey));

    EnergyBoundPanel b;
    const PanelState reread = throughFile(state, "energy");
    b.restoreState(reread);
    FigureTextState::restore(&b, reread);
    const auto overrides = FigureText::overrides(FigureText::plotsIn(b.figureWidget(figure)).first());
    QCOMPARE(overrides.value(entries.first().key), QStringLiteral("Edited for the talk"));
    QCOMPARE(differingPixels(render(&a, figure), render(&b, figure)), 0);

    // A malformed entry is refused with one line, not applied.
    PanelState bad = reread;
    bad.settings[FigureTextState::kSettingsKey] = nlohmann::json{{figure.toStdString(), "not a list"}};
    EnergyBoundPanel c;
    QVERIFY_THROWS_EXCEPTION(featurescope::InputError, FigureTextState::restore(&c, bad));
}

QTEST_MAIN(TestSessionPanels)
#include "tst_session_panels.moc"
