// `featurescope FILE`: a session or an array file named as the first argument opens in the GUI (sessions through the
// session controller, arrays through the data-file opener); a missing file is exit status 2 with one line.
#include "AppSettings.h"
#include "DataFileOpener.h"
#include "MainWindow.h"
#include "SessionController.h"
#include "cli/CommandLine.h"

#include "panels/EnergyBoundPanel.h"
#include "panels/features/FeatureActivationsPanel.h"
#include "panels/features/FeatureControlsWidget.h"

#include "io/ArrayData.h"
#include "io/NpyFile.h"
#include "sae/ActivationImport.h"

#include "app/CliRun.h"
#include "core/ScratchFiles.h"

#include <QFile>
#include <QStandardPaths>
#include <QTest>

#include <cmath>
#include <string>
#include <vector>

using namespace featurescope;

namespace {

// argv as main() gets it; the strings live in `storage`.
std::vector<char*> argvOf(std::vector<std::string>& storage)
{
    std::vector<char*> argv;
    for (std::string& s : storage)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    return argv;
}

QString writeActivations(const ScratchFiles& files, const QString& name)
{
    std::vector<float> values(120 * 6);
    for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = float(std::max(0.0, std::sin(0.7 * double(i)) + 0.1 * double(i % 7)));
    const QString path = files.path(name);
    NpyFile::write(path.toStdString(), ArrayData::fromFloats({120, 6}, values.data()));
    return path;
}

} // namespace

class TestOpenFromCommandLine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void decidesBetweenGuiAndCommand();
    void missingFileIsOneLineAndStatus2();
    void arrayFileOpensInFeaturesPanel();
    void sessionFileOpensThroughController();
    void binaryOpensTheWindowWithTheFile();

private:
    ScratchFiles m_files;
};

void TestOpenFromCommandLine::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // settings, autosave and recent files in a throwaway location
    QVERIFY(m_files.isValid());
    AppSettings::setRecentFiles({});
}

void TestOpenFromCommandLine::decidesBetweenGuiAndCommand()
{
    const QString session = m_files.write(QStringLiteral("talk.FSS"), "{}");
    const QString npy = writeActivations(m_files, QStringLiteral("acts.npy"));
    struct Case {
        std::vector<std::string> args;
        bool commandLine;
        std::string file;
    };
    const std::string missing = m_files.path(QStringLiteral("missing.npz")).toStdString();
    const std::string notes = m_files.write(QStringLiteral("notes.txt"), "x").toStdString();
    const Case cases[] = {
        {{"featurescope"}, false, ""},
        {{"featurescope", session.toStdString()}, false, session.toStdString()}, // suffixes in any case
        {{"featurescope", npy.toStdString(), "-platform", "offscreen"}, false, npy.toStdString()},
        {{"featurescope", npy.toStdString(), npy.toStdString()}, true, ""}, // one file at a time
        {{"featurescope", missing}, true, ""},
        {{"featurescope", notes}, true, ""}, // an unknown command, as before
        {{"featurescope", "energy"}, true, ""},
        {{"featurescope", "-style", "Fusion"}, false, ""},
    };
    for (const Case& c : cases) {
        std::vector<std::string> storage = c.args;
        std::vector<char*> argv = argvOf(storage);
        const int argc = int(storage.size());
        const QByteArray what = QByteArray::fromStdString(storage.back());
        QVERIFY2(CommandLine::wantsCommandLine(argc, argv.data()) == c.commandLine, what.constData());
        QVERIFY2(CommandLine::fileToOpen(argc, argv.data()) == c.file, what.constData());
    }
    QVERIFY(CommandLine::isOpenableFileName("w.safetensors"));
    QVERIFY(!CommandLine::isOpenableFileName(".npy")); // a suffix alone names nothing
    QVERIFY(!CommandLine::isOpenableFileName("model.pt"));
}

void TestOpenFromCommandLine::missingFileIsOneLineAndStatus2()
{
    const QString missing = m_files.path(QStringLiteral("gone.fss"));
    const CliRun run = CliRun::run({missing});
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.out.isEmpty());
    QCOMPARE(run.err.count('\n'), 1);
    QVERIFY2(run.err.contains(missing.toUtf8()) && run.err.contains("no such file"), run.err.constData());

    const QString npy = writeActivations(m_files, QStringLiteral("two.npy"));
    const CliRun two = CliRun::run({npy, npy});
    QCOMPARE(two.exitCode, 2);
    QCOMPARE(two.err.count('\n'), 1);
}

void TestOpenFromCommandLine::arrayFileOpensInFeaturesPanel()
{
    const QString path = writeActivations(m_files, QStringLiteral("opened.npy"));
    MainWindow window;
    window.openFile(path);
    window.fileOpener()->waitForFinished();
    auto* panel = qobject_cast<FeatureActivationsPanel*>(window.panel(QStringLiteral("features")));
    QVERIFY(panel->controls()->imported());
    QCOMPARE(QString::fromStdString(panel->controls()->imported()->path), path);
    QCOMPARE(window.currentPanel(), panel);
}

void TestOpenFromCommandLine::sessionFileOpensThroughController()
{
    const QString path = m_files.path(QStringLiteral("saved.fss"));
    {
        MainWindow author;
        qobject_cast<EnergyBoundPanel*>(author.panel(QStringLiteral("energy")))->selectPreset(QStringLiteral("h100-sxm5"));
        author.showPanel(QStringLiteral("energy"));
        QCOMPARE(author.sessions()->saveSession(path), QString());
    }
    MainWindow window;
    auto* energy = qobject_cast<EnergyBoundPanel*>(window.panel(QStringLiteral("energy")));
    QVERIFY(energy->selectedPresetId() != QStringLiteral("h100-sxm5"));
    window.openFile(path);
    QTRY_COMPARE(energy->selectedPresetId(), QStringLiteral("h100-sxm5")); // read off the GUI thread
    QCOMPARE(window.currentPanel(), energy);
    QCOMPARE(window.sessions()->currentPath(), path);
}

void TestOpenFromCommandLine::binaryOpensTheWindowWithTheFile()
{
    // The real binary takes the GUI path for a file argument: the scripted screenshot exits 0 with a picture
    // (an unknown command would exit 2 without one).
    const QString path = writeActivations(m_files, QStringLiteral("shown.npy"));
    const QString shot = m_files.path(QStringLiteral("window.png"));
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    environment.insert(QStringLiteral("FEATURESCOPE_SCREENSHOT"), shot);
    environment.insert(QStringLiteral("FEATURESCOPE_SCREENSHOT_DELAY_MS"), QStringLiteral("1500"));
    const CliRun run = CliRun::run({path}, 120000, environment);
    QCOMPARE(run.exitCode, 0);
    QVERIFY(QFile::exists(shot));
}

QTEST_MAIN(TestOpenFromCommandLine)
#include "tst_open_from_command_line.moc"
