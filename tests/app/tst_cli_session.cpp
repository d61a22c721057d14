// `featurescope render --session`: the PNG equals, pixel for pixel, what the GUI's export draws for the same
// restored session (superposition and energy, the session's theme or --theme); restoring does not retrain; a bad
// session exits 2 with one line on stderr naming the file.
#include "common/FigureExporter.h"
#include "common/Theme.h"
#include "panels/EnergyBoundPanel.h"
#include "panels/superposition/SuperpositionPanel.h"
#include "session/SessionFile.h"

#include "app/CliRun.h"

#include <nlohmann/json.hpp>

#include <QApplication>
#include <QFile>
#include <QImage>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

using featurescope::PanelState;
using featurescope::Session;
using featurescope::SessionFile;

namespace {

CliRun runBinary(const QStringList& arguments)
{
    // Without XDG_RUNTIME_DIR, as in containers and CI: Qt's note that it picks a folder itself must not reach
    // stderr (renderPrintsNoWarnings).
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("XDG_RUNTIME_DIR"));
    return CliRun::run(arguments, 600000, env);
}

// What RenderCommand does, in this process: theme, fresh panel, restore, prepare, export.
QImage exportInProcess(const Session& session, const QString& panelId, const QString& figure, Theme::Id theme)
{
    Theme::apply(*qApp, theme);
    std::unique_ptr<Panel> panel(panelId == QLatin1String("energy") ? static_cast<Panel*>(new EnergyBoundPanel)
                                                                      : new SuperpositionPanel);
    panel->restoreState(session.panels.at(panelId.toStdString()));
    ExportOptions options;
    options.logicalSize = QSize(700, 450);
    options.scale = 1.5;
    panel->prepareFigureForRender(figure);
    QWidget* target = panel->figureWidget(figure);
    FigureExporter::prepareWidget(panel.get(), options.logicalSize);
    return FigureExporter::renderImage(target, options);
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

} // namespace

class TestCliSession : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void renderEqualsInProcessExport_data();
    void renderEqualsInProcessExport();
    void themeOverride();
    void renderPrintsNoWarnings_data();
    void renderPrintsNoWarnings();
    void badSession_data();
    void badSession();

private:
    QTemporaryDir m_dir;
    QString m_session;
    Session m_saved;
};

void TestCliSession::initTestCase()
{
    QVERIFY(!qEnvironmentVariable("FEATURESCOPE_BINARY").isEmpty());
    if (qEnvironmentVariableIsSet("FEATURESCOPE_KEEP_TEST_FILES")) { // to look at the session and the PNGs
        m_dir.setAutoRemove(false);
        qInfo("files kept in %s", qPrintable(m_dir.path()));
    }
    // A session made the way the GUI makes one: a trained superposition panel and an edited energy panel, dark theme.
    Theme::apply(*qApp, Theme::Id::Dark);
    SuperpositionPanel toy;
    PanelState state;
    toy.saveState(state);
    state.settings["controls"]["steps"] = 500;
    state.settings["controls"]["threads"] = 1;
    state.settings["controls"]["seed"] = 11;
    toy.restoreState(state);
    toy.startTraining();
    toy.waitForTraining();
    toy.setSelectedFeature(1);
    EnergyBoundPanel energy;
    energy.selectPreset(QStringLiteral("b200"));
    PanelState energyState;
    energy.saveState(energyState);
    energyState.settings["temperature_k"] = 77.0;
    energy.restoreState(energyState);

    m_saved.appVersion = "test";
    m_saved.theme = "dark";
    m_saved.currentPanel = "superposition";
    toy.saveState(m_saved.panels["superposition"]);
    energy.saveState(m_saved.panels["energy"]);
    m_session = m_dir.filePath(QStringLiteral("talk.fss"));
    SessionFile::save(m_session.toStdString(), m_saved);
    m_saved = SessionFile::load(m_session.toStdString());
}

void TestCliSession::renderEqualsInProcessExport_data()
{
    QTest::addColumn<QString>("panel");
    QTest::addColumn<QString>("figure");
    QTest::newRow("arrows") << "superposition" << "feature-arrows";
    QTest::newRow("gram") << "superposition" << "gram-heatmap";
    QTest::newRow("loss") << "superposition" << "loss";
    QTest::newRow("temperature") << "energy" << "ratio-vs-temperature";
    QTest::newRow("trend") << "energy" << "efficiency-trend";
}

void TestCliSession::renderEqualsInProcessExport()
{
    QFETCH(QString, panel);
    QFETCH(QString, figure);
    const QString out = m_dir.filePath(panel + QLatin1Char('-') + figure + QStringLiteral(".png"));
    const CliRun run = runBinary({QStringLiteral("render"), QStringLiteral("--session"), m_session, QStringLiteral("--panel"),
                                  panel, QStringLiteral("--figure"), figure, QStringLiteral("--out"), out,
                                  QStringLiteral("--width"), QStringLiteral("700"), QStringLiteral("--height"),
                                  QStringLiteral("450"), QStringLiteral("--scale"), QStringLiteral("1.5")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QImage cli(out);
    QCOMPARE(cli.size(), QSize(1050, 675));
    const QImage expected = exportInProcess(m_saved, panel, figure, Theme::Id::Dark);
    QCOMPARE(differingPixels(cli, expected), 0);
    QVERIFY(cli.pixelColor(3, 3).lightness() < 100); // the session's dark theme
}

void TestCliSession::renderPrintsNoWarnings_data()
{
    QTest::addColumn<QStringList>("arguments");
    const QString slide = QStringLiteral("13.333,7.5");
    QTest::newRow("superposition panel") << QStringList{QStringLiteral("--panel"), QStringLiteral("superposition")};
    QTest::newRow("feature-arrows slide") << QStringList{QStringLiteral("--panel"), QStringLiteral("superposition"),
                                                         QStringLiteral("--figure"), QStringLiteral("feature-arrows"),
                                                         QStringLiteral("--inches"), slide};
    QTest::newRow("norm-bars half slide") << QStringList{QStringLiteral("--panel"), QStringLiteral("superposition"),
                                                         QStringLiteral("--figure"), QStringLiteral("norm-bars"),
                                                         QStringLiteral("--inches"), QStringLiteral("6.667,7.5"),
                                                         QStringLiteral("--text-pt"), QStringLiteral("18")};
}

// A render says nothing on stderr: a plot laid out below its layout's minimum made QCustomPlot print "layouting
// aborted" (7 lines for the superposition panel, 21 for a slide of its feature arrows).
void TestCliSession::renderPrintsNoWarnings()
{
    QFETCH(QStringList, arguments);
    const CliRun run = runBinary(QStringList{QStringLiteral("render"), QStringLiteral("--out"),
                                             m_dir.filePath(QStringLiteral("quiet.png"))} + arguments);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.err.isEmpty(), run.err.left(2000).constData());
}

void TestCliSession::themeOverride()
{
    const QString out = m_dir.filePath(QStringLiteral("light.png"));
    const CliRun run = runBinary({QStringLiteral("render"), QStringLiteral("--session"), m_session, QStringLiteral("--panel"),
                                  QStringLiteral("superposition"), QStringLiteral("--figure"),
                                  QStringLiteral("norm-bars"), QStringLiteral("--out"), out, QStringLiteral("--width"),
                                  QStringLiteral("700"), QStringLiteral("--height"), QStringLiteral("450"),
                                  QStringLiteral("--scale"), QStringLiteral("1.5"), QStringLiteral("--theme"),
                                  QStringLiteral("light")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QImage cli(out);
    QVERIFY(cli.pixelColor(3, 3).lightness() > 200);
    QCOMPARE(differingPixels(cli, exportInProcess(m_saved, QStringLiteral("superposition"), QStringLiteral("norm-bars"),
                                                  Theme::Id::Light)),
             0);
}

void TestCliSession::badSession_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("panel");
    QTest::addColumn<QString>("expected");
    QTest::newRow("garbage") << QByteArray("not a session at all") << "energy" << "not a featurescope session";
    QTest::newRow("newer") << QByteArray(R"({"format":"featurescope-session","version":9,"panels":{}})") << "energy"
                           << "made by a newer featurescope";
    QTest::newRow("truncated") << QByteArray("\x40\x00\x00\x00\x00\x00\x00\x00{\"a\"", 12) << "energy" << "truncated";
    QTest::newRow("no state for the panel")
        << QByteArray(R"({"format":"featurescope-session","version":1,"panels":{"energy":{}}})") << "superposition"
        << "holds no state for panel 'superposition'";
    QTest::newRow("bad panel state")
        << QByteArray(R"({"format":"featurescope-session","version":1,"panels":{"energy":{"preset":"z"}}})") << "energy"
        << "energy panel";
    QTest::newRow("bad theme")
        << QByteArray(R"({"format":"featurescope-session","version":1,"theme":"neon","panels":{"energy":{}}})")
        << "energy" << "unknown theme 'neon'";
}

void TestCliSession::badSession()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, panel);
    QFETCH(QString, expected);
    const QString path = m_dir.filePath(QStringLiteral("bad.fss"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(content);
    file.close();
    const QString out = m_dir.filePath(QStringLiteral("bad.png"));
    QFile::remove(out);
    const CliRun run = runBinary({QStringLiteral("render"), QStringLiteral("--session"), path, QStringLiteral("--panel"),
                                  panel, QStringLiteral("--out"), out});
    QCOMPARE(run.exitCode, 2);
    const QString err = QString::fromUtf8(run.err).trimmed();
    QVERIFY2(!err.contains(QLatin1Char('\n')), qPrintable(err));
    QVERIFY2(err.contains(path), qPrintable(err));
    QVERIFY2(err.contains(expected), qPrintable(err));
    QVERIFY(!QFile::exists(out));
}

QTEST_MAIN(TestCliSession)
#include "tst_cli_session.moc"
