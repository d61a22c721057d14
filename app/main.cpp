#include "AppSettings.h"
#include "MainWindow.h"
#include "QtNoiseFilter.h"
#include "SessionController.h"
#include "cli/CommandLine.h"

#include <QApplication>
#include <QIcon>
#include <QPixmap>
#include <QTimer>

int main(int argc, char** argv)
{
    if (CommandLine::wantsCommandLine(argc, argv))
        return CommandLine().run(argc, argv);
    const QString startupFile = QString::fromLocal8Bit(CommandLine::fileToOpen(argc, argv));

    QtNoiseFilter::install();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("featurescope"));
    QApplication::setApplicationName(QStringLiteral("featurescope"));
    QApplication::setApplicationVersion(QStringLiteral(FEATURESCOPE_VERSION));
    QApplication::setStyle(QStringLiteral("Fusion"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/featurescope.svg")));

    MainWindow window;
    window.show();
    // Crash restore offer and autosave; not for scripted screenshots, whose windows must not touch the user's session.
    if (!qEnvironmentVariableIsSet("FEATURESCOPE_SCREENSHOT")) {
        window.sessions()->startup();
        if (!AppSettings::tourShown())
            QTimer::singleShot(0, &window, [&window] { window.showTour(); });
    }
    // `featurescope FILE` (a file manager's "Open with"): after a crash-restore offer, so the named file wins.
    if (!startupFile.isEmpty())
        window.openFile(startupFile);
    else if (!qEnvironmentVariableIsSet("FEATURESCOPE_NO_DEFAULT_LM"))
        window.loadDefaultLanguageModel(); // the first start trains it in the background; later starts find it

    // For documentation and smoke tests: FEATURESCOPE_SCREENSHOT=out.png grabs the window after a delay and quits.
    const QString screenshot = qEnvironmentVariable("FEATURESCOPE_SCREENSHOT");
    if (!screenshot.isEmpty()) {
        const int delay = qEnvironmentVariableIntValue("FEATURESCOPE_SCREENSHOT_DELAY_MS");
        QTimer::singleShot(delay > 0 ? delay : 3000, &window, [&window, screenshot] {
            const bool ok = window.grab().save(screenshot);
            QApplication::exit(ok ? 0 : 1);
        });
    }
    return app.exec();
}
