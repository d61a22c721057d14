#include "MainWindow.h"
#include "cli/CommandLine.h"

#include <QApplication>
#include <QIcon>

int main(int argc, char** argv)
{
    if (CommandLine::wantsCommandLine(argc, argv))
        return CommandLine().run(argc, argv);

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("featurescope"));
    QApplication::setApplicationName(QStringLiteral("featurescope"));
    QApplication::setApplicationVersion(QStringLiteral(FEATURESCOPE_VERSION));
    QApplication::setStyle(QStringLiteral("Fusion"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/featurescope.svg")));

    MainWindow window;
    window.show();
    return app.exec();
}
