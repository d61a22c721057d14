// `cmake --install` into a scratch prefix: the binary runs, the desktop entry opens sessions with it, the icon is a
// valid SVG and the session MIME type maps *.fss (checked with update-mime-database when it is installed).

#include "core/ScratchFiles.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTest>

namespace {

struct Run {
    int exitCode = -1;
    QByteArray output;
};

Run runProgram(const QString& program, const QStringList& arguments, int timeoutMs = 120000)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAll()};
}

// The value of `key` in the [Desktop Entry] group of a desktop file; empty when missing.
QString desktopValue(const QByteArray& text, const QString& key)
{
    bool inEntry = false;
    for (const QByteArray& raw : text.split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.startsWith(u'['))
            inEntry = line == QLatin1String("[Desktop Entry]");
        else if (inEntry && line.startsWith(key + u'='))
            return line.mid(key.size() + 1);
    }
    return {};
}

} // namespace

class TestInstall : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void installsBinaryDesktopEntryIconAndMimeType();
};

void TestInstall::installsBinaryDesktopEntryIconAndMimeType()
{
    ScratchFiles scratch;
    QVERIFY(scratch.isValid());
    const QString prefix = scratch.path(QStringLiteral("prefix"));
    const Run install = runProgram(QStringLiteral(FEATURESCOPE_CMAKE_COMMAND),
                                   {QStringLiteral("--install"), QStringLiteral(FEATURESCOPE_BUILD_ROOT),
                                    QStringLiteral("--prefix"), prefix});
    QVERIFY2(install.exitCode == 0, install.output.constData());

    const QFileInfo binary(prefix + QStringLiteral("/bin/featurescope"));
    QVERIFY2(binary.isFile() && binary.isExecutable(), qPrintable(binary.filePath()));
    const Run version = runProgram(binary.filePath(), {QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QVERIFY2(version.output.startsWith("featurescope "), version.output.constData());

    QFile desktop(prefix + QStringLiteral("/share/applications/featurescope.desktop"));
    QVERIFY2(desktop.open(QIODevice::ReadOnly), qPrintable(desktop.fileName()));
    const QByteArray entry = desktop.readAll();
    QCOMPARE(desktopValue(entry, QStringLiteral("Type")), QStringLiteral("Application"));
    QCOMPARE(desktopValue(entry, QStringLiteral("Exec")), QStringLiteral("featurescope %f"));
    QCOMPARE(desktopValue(entry, QStringLiteral("Icon")), QStringLiteral("featurescope"));
    QVERIFY(desktopValue(entry, QStringLiteral("MimeType"))
                .split(u';', Qt::SkipEmptyParts)
                .contains(QStringLiteral("application/x-featurescope-session")));
    QVERIFY(!desktopValue(entry, QStringLiteral("Name")).isEmpty());

    const QString icon = prefix + QStringLiteral("/share/icons/hicolor/scalable/apps/featurescope.svg");
    QSvgRenderer renderer(icon);
    QVERIFY2(renderer.isValid(), qPrintable(icon));
    QCOMPARE(renderer.viewBoxF().width(), renderer.viewBoxF().height()); // icons are square

    const QString mimeXml = prefix + QStringLiteral("/share/mime/packages/featurescope.xml");
    QFile mime(mimeXml);
    QVERIFY2(mime.open(QIODevice::ReadOnly), qPrintable(mimeXml));
    const QByteArray mimeText = mime.readAll();
    QVERIFY(mimeText.contains("type=\"application/x-featurescope-session\""));
    QVERIFY(mimeText.contains("pattern=\"*.fss\""));

    // The real consumer of the XML: it rejects malformed packages and writes the glob table desktops read.
    const QString updater = QStandardPaths::findExecutable(QStringLiteral("update-mime-database"));
    if (updater.isEmpty())
        QSKIP("update-mime-database (shared-mime-info) is not installed; the XML was checked as text only");
    const Run update = runProgram(updater, {prefix + QStringLiteral("/share/mime")});
    QVERIFY2(update.exitCode == 0, update.output.constData());
    QFile globs(prefix + QStringLiteral("/share/mime/globs2"));
    QVERIFY(globs.open(QIODevice::ReadOnly));
    QVERIFY(globs.readAll().contains("application/x-featurescope-session:*.fss"));
}

QTEST_GUILESS_MAIN(TestInstall)
#include "tst_install.moc"
