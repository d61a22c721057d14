// Opening data files in the GUI (issue 5): DataFileOpener reads off the GUI thread and reports one line for a bad
// file; the main window's File menu, recent files and drag-and-drop feed the Feature activations panel; a file that
// cannot be read leaves the panel exactly as it was; an SAE exported as SAELens opens again and browses the same.
#include "AppSettings.h"
#include "DataFileOpener.h"
#include "MainWindow.h"
#include "RecentFilesMenu.h"

#include "panels/features/FeatureActivationsPanel.h"
#include "panels/features/FeatureControlsWidget.h"

#include "io/NpyFile.h"
#include "io/NpzArchive.h"
#include "sae/ActivationImport.h"
#include "sae/ImportedSae.h"

#include "core/ScratchFiles.h"

#include <QAction>
#include <QFile>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QUrl>

#include <cmath>

using namespace featurescope;

namespace {

std::vector<float> someActivations(int rows, int d, double phase)
{
    std::vector<float> v(std::size_t(rows * d));
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = float(std::max(0.0, std::sin(phase * double(i)) + 0.1 * double(i % 7)));
    return v;
}

SaeExperimentConfig tinyConfig()
{
    SaeExperimentConfig c;
    c.syntheticFeatures = 32;
    c.syntheticDimension = 16;
    c.syntheticMeanActive = 3.0;
    c.sae.latentDim = 48;
    c.training.steps = 200;
    c.training.batch = 128;
    c.training.seed = 3;
    return c;
}

} // namespace

class TestFileOpen : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void classify();
    void badFileLeavesPanelUnchanged_data();
    void badFileLeavesPanelUnchanged();
    void pickerChoosesAmongArrays();
    void exportedSaeOpensAndBrowsesTheSame();
    void recentFilesAndMissingEntries();
    void dropOpensActivations();
    void fileMenuLayout();

private:
    FeatureActivationsPanel* trainedFeatures(MainWindow& window);
    ScratchFiles m_files;
};

void TestFileOpen::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // settings in a throwaway location
    AppSettings::setRecentFiles({});
    QVERIFY(m_files.isValid());
}

FeatureActivationsPanel* TestFileOpen::trainedFeatures(MainWindow& window)
{
    auto* panel = qobject_cast<FeatureActivationsPanel*>(window.panel(QStringLiteral("features")));
    panel->controls()->setConfig(tinyConfig());
    panel->startTraining();
    panel->waitForTraining();
    return panel;
}

void TestFileOpen::classify()
{
    m_files.write(QStringLiteral("sae/cfg.json"), "{}");
    QCOMPARE(DataFileOpener::classify(m_files.path(QStringLiteral("sae"))), DataFileOpener::Kind::Sae);
    QCOMPARE(DataFileOpener::classify(m_files.path(QStringLiteral("sae/cfg.json"))), DataFileOpener::Kind::Sae);
    QCOMPARE(DataFileOpener::classify(m_files.path()), DataFileOpener::Kind::Unknown);
    QCOMPARE(DataFileOpener::classify(QStringLiteral("/x/acts.npz")), DataFileOpener::Kind::Activations);
    QCOMPARE(DataFileOpener::classify(QStringLiteral("/x/notes.txt")), DataFileOpener::Kind::Unknown);
}

void TestFileOpen::badFileLeavesPanelUnchanged_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    QTest::newRow("garbage npy") << "garbage.npy" << QByteArray("not numpy at all") << "not a .npy, .npz or .safetensors";
    QTest::newRow("truncated npy")
        << "truncated.npy"
        << QByteArray::fromStdString(NpyFile::serialize(ArrayData::fromFloats({4, 4}, someActivations(4, 4, 0.3).data())))
               .left(100)
        << "truncated";
    QTest::newRow("1-d array") << "vector.npy"
                               << QByteArray::fromStdString(NpyFile::serialize(ArrayData::fromFloats({5}, someActivations(5, 1, 0.3).data())))
                               << "[N, d]";
    QTest::newRow("missing") << "" << QByteArray() << "";
}

void TestFileOpen::badFileLeavesPanelUnchanged()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    MainWindow window;
    FeatureActivationsPanel* panel = trainedFeatures(window);
    const auto before = panel->snapshot();
    const auto sourceBefore = panel->controls()->source();
    QVERIFY(before);
    const QString path = name.isEmpty() ? m_files.path(QStringLiteral("does-not-exist.npy")) : m_files.write(name, bytes);
    QSignalSpy failed(window.fileOpener(), &DataFileOpener::failed);
    window.openDataFile(path);
    window.fileOpener()->waitForFinished();
    QCOMPARE(failed.count(), 1);
    const QString message = failed.first().first().toString();
    QVERIFY2(message.contains(path), qPrintable(message));
    QVERIFY2(reason.isEmpty() || message.contains(reason), qPrintable(message));
    QVERIFY2(!message.contains(QLatin1Char('\n')), qPrintable(message));
    QCOMPARE(window.lastFileError(), message);
    auto* box = window.findChild<QMessageBox*>(QStringLiteral("fileError"));
    QVERIFY(box && box->isVisible() && box->text() == message);
    box->close();
    // Nothing changed: same snapshot object, same source, not busy, not in the recent files.
    QCOMPARE(panel->snapshot(), before);
    QCOMPARE(panel->controls()->source(), sourceBefore);
    QVERIFY(!panel->isBusy());
    QVERIFY(!AppSettings::recentFiles().contains(path));
}

void TestFileOpen::pickerChoosesAmongArrays()
{
    const QString path = m_files.path(QStringLiteral("two.npz"));
    NpzArchive::write(path.toStdString(), {{"resid_pre", ArrayData::fromFloats({200, 8}, someActivations(200, 8, 0.11).data())},
                                           {"mlp_out", ArrayData::fromFloats({200, 4}, someActivations(200, 4, 0.23).data())}});
    MainWindow window;
    QStringList offered;
    window.fileOpener()->setArrayPicker([&](const QString&, const QStringList& choices) {
        offered = choices;
        return QStringLiteral("mlp_out");
    });
    QSignalSpy loaded(window.fileOpener(), &DataFileOpener::activationsLoaded);
    window.openDataFile(path);
    window.fileOpener()->waitForFinished();
    QCOMPARE(offered, (QStringList{QStringLiteral("resid_pre"), QStringLiteral("mlp_out")}));
    QCOMPARE(loaded.count(), 1);
    auto* panel = qobject_cast<FeatureActivationsPanel*>(window.panel(QStringLiteral("features")));
    QCOMPARE(panel->controls()->source(), SaeExperimentConfig::Source::File);
    QVERIFY(panel->controls()->imported());
    QCOMPARE(panel->controls()->imported()->arrayName, std::string("mlp_out"));
    QCOMPARE(panel->controls()->config().inputDimension(), 4);
    QCOMPARE(AppSettings::recentFiles().value(0), path);
    panel->waitForTraining();
    QVERIFY(panel->snapshot() && panel->snapshot()->sourceName == QLatin1String("file"));

    // Cancelling the picker changes nothing.
    const auto before = panel->snapshot();
    window.fileOpener()->setArrayPicker([](const QString&, const QStringList&) { return QString(); });
    window.openDataFile(path);
    window.fileOpener()->waitForFinished();
    QCOMPARE(panel->snapshot(), before);
    QVERIFY(window.statusText().contains(QStringLiteral("cancelled")));
}

void TestFileOpen::exportedSaeOpensAndBrowsesTheSame()
{
    MainWindow window;
    FeatureActivationsPanel* panel = trainedFeatures(window);
    const auto trained = panel->snapshot();
    const QString dir = m_files.path(QStringLiteral("exported-sae"));
    panel->exportModel(dir);
    QVERIFY(QFile::exists(dir + QStringLiteral("/cfg.json")));
    QVERIFY(QFile::exists(dir + QStringLiteral("/sae_weights.safetensors")));
    QSignalSpy loaded(window.fileOpener(), &DataFileOpener::saeLoaded);
    window.openDataFile(dir);
    window.fileOpener()->waitForFinished();
    QCOMPARE(loaded.count(), 1);
    panel->waitForTraining();
    const auto opened = panel->snapshot();
    QVERIFY(opened && opened != trained);
    QVERIFY(opened->origin.contains(QStringLiteral("exported-sae")));
    QCOMPARE(opened->latentDim(), trained->latentDim());
    // The same function on the same inputs: the same densities (float rounding of the folded scale aside).
    int differ = 0;
    for (int j = 0; j < trained->latentDim(); ++j)
        differ += std::abs(opened->densities[std::size_t(j)] - trained->densities[std::size_t(j)]) > 1e-3;
    QVERIFY2(differ == 0, qPrintable(QString::number(differ)));

    // An SAE of another width is refused with one line; the panel keeps what it shows.
    auto* other = qobject_cast<FeatureActivationsPanel*>(window.panel(QStringLiteral("features")));
    SaeExperimentConfig wide = tinyConfig();
    wide.syntheticDimension = 24;
    other->controls()->setConfig(wide);
    other->startTraining();
    other->waitForTraining();
    const auto before = other->snapshot();
    window.openDataFile(dir);
    window.fileOpener()->waitForFinished();
    QVERIFY2(window.lastFileError().contains(QStringLiteral("d_in = 16")), qPrintable(window.lastFileError()));
    QCOMPARE(other->snapshot(), before);
}

void TestFileOpen::recentFilesAndMissingEntries()
{
    const QString kept = m_files.path(QStringLiteral("kept.npy"));
    const QString gone = m_files.path(QStringLiteral("gone.npy"));
    AppSettings::setRecentFiles({gone, kept});
    QFile::remove(gone);
    NpyFile::write(kept.toStdString(), ArrayData::fromFloats({50, 4}, someActivations(50, 4, 0.5).data()));
    RecentFilesMenu menu;
    menu.rebuild();
    QList<QAction*> entries;
    for (QAction* a : menu.actions())
        if (a->data().isValid())
            entries << a;
    QCOMPARE(entries.size(), 2);
    QVERIFY(!entries[0]->isEnabled());
    QVERIFY(entries[0]->text().contains(QStringLiteral("missing")));
    QVERIFY(entries[1]->isEnabled());
    QSignalSpy open(&menu, &RecentFilesMenu::openRequested);
    entries[1]->trigger();
    QCOMPARE(open.count(), 1);
    QCOMPARE(open.first().first().toString(), kept);
    QSignalSpy status(&menu, &RecentFilesMenu::statusMessage);
    menu.findChild<QAction*>(QStringLiteral("removeMissingRecentFiles"))->trigger();
    QCOMPARE(AppSettings::recentFiles(), QStringList{kept});
    QVERIFY(status.first().first().toString().contains(QStringLiteral("1")));
}

void TestFileOpen::dropOpensActivations()
{
    const QString path = m_files.path(QStringLiteral("dropped.npy"));
    NpyFile::write(path.toStdString(), ArrayData::fromFloats({120, 6}, someActivations(120, 6, 0.7).data()));
    MainWindow window;
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    enter.setAccepted(false);
    QCoreApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &drop);
    window.fileOpener()->waitForFinished();
    auto* panel = qobject_cast<FeatureActivationsPanel*>(window.panel(QStringLiteral("features")));
    QVERIFY(panel->controls()->imported());
    QCOMPARE(QString::fromStdString(panel->controls()->imported()->path), path);
    QCOMPARE(window.currentPanel(), panel);
    panel->cancelWork();
    panel->waitForTraining();

    // A text file is not accepted.
    QMimeData text;
    text.setUrls({QUrl::fromLocalFile(m_files.write(QStringLiteral("notes.txt"), "hello"))});
    QDragEnterEvent refuse(QPoint(10, 10), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
    refuse.setAccepted(false);
    QCoreApplication::sendEvent(&window, &refuse);
    QVERIFY(!refuse.isAccepted());
}

void TestFileOpen::fileMenuLayout()
{
    MainWindow window;
    QMenu* file = window.fileMenu();
    QVERIFY(file);
    const QList<QAction*> actions = file->actions();
    QVERIFY(!actions.isEmpty());
    // The session actions go on top, above the insertion point; the data files follow it.
    const int insertion = int(actions.indexOf(window.sessionInsertionPoint()));
    QVERIFY(insertion > 0);
    QVERIFY(actions.first()->text().contains(QStringLiteral("New Session")));
    QStringList names;
    for (QAction* a : actions)
        names << a->objectName();
    QVERIFY(names.indexOf(QStringLiteral("openActivations")) > insertion);
    QVERIFY(names.indexOf(QStringLiteral("openSae")) > names.indexOf(QStringLiteral("openActivations")));
    QVERIFY(names.contains(QStringLiteral("exportModel")));
    QVERIFY(window.recentFilesMenu());
}

QTEST_MAIN(TestFileOpen)
#include "tst_file_open.moc"
