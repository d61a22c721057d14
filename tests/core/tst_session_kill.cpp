// A killed process never leaves a corrupt session: session_save_loop saves in a loop and is SIGKILLed at random
// moments many times; the file must always open and hold one whole save (every array value equals the counter in
// its settings), never an older counter than one already reported saved.
#include "session/SessionFile.h"

#include <QDir>
#include <QFileInfo>
#include <QThread>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/types.h>

using namespace featurescope;

class TestSessionKill : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void killedSaverLeavesOldOrNew();
};

void TestSessionKill::killedSaverLeavesOldOrNew()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("autosave.fss"));
    const QString helper = QCoreApplication::applicationDirPath() + QStringLiteral("/session_save_loop");
    QVERIFY(QFileInfo::exists(helper));
    QRandomGenerator rng(12345);
    long lastReported = 0;
    int kills = 0;
    for (int round = 0; round < 40; ++round) {
        QProcess saver;
        saver.start(helper, {file, QString::number(lastReported + 1)});
        QVERIFY(saver.waitForStarted());
        // Kill at a random moment after the first save committed: a fixed delay from the start is not enough when
        // start-up is slow (under AddressSanitizer no save had committed after 60 ms, so nothing was tested).
        QVERIFY(saver.waitForReadyRead(30000));
        QByteArray output = saver.readAllStandardOutput();
        QThread::msleep(rng.bounded(0, 40));
        ::kill(pid_t(saver.processId()), SIGKILL);
        QVERIFY(saver.waitForFinished(5000));
        ++kills;
        output += saver.readAllStandardOutput();
        long reported = 0;
        for (const QByteArray& line : output.split('\n'))
            if (!line.isEmpty())
                reported = line.toLong();
        QVERIFY(QFileInfo::exists(file)); // a save was reported, so the file exists
        const Session s = SessionFile::load(file.toStdString()); // throws (fails the test) if corrupt
        const PanelState& state = s.panels.at("loop");
        const long counter = state.settings.at("counter").get<long>();
        // The file holds the last reported save or the one after it (committed, not yet reported).
        QVERIFY2(counter >= std::max(reported, lastReported), qPrintable(QStringLiteral("%1 < %2").arg(counter).arg(reported)));
        for (const auto& name : {"a", "b"})
            for (float v : state.arrays.at(name).toFloatVector())
                QCOMPARE(v, float(counter));
        lastReported = counter;
    }
    QCOMPARE(kills, 40);
    QVERIFY(lastReported > 0);
}

QTEST_GUILESS_MAIN(TestSessionKill)
#include "tst_session_kill.moc"
