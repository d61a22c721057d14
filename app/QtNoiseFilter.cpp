#include "QtNoiseFilter.h"

#include <QString>
#include <QtGlobal>

namespace {

QtMessageHandler g_previous = nullptr;

void filter(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    if (type == QtWarningMsg && message.contains(QLatin1String("does not support propagateSizeHints")))
        return;
    // Containers and CI runners often have no XDG_RUNTIME_DIR; Qt then uses a private folder of its own, which is
    // all featurescope needs, and says so on every start.
    if (type == QtWarningMsg && message.startsWith(QLatin1String("QStandardPaths: XDG_RUNTIME_DIR not set")))
        return;
    if (g_previous)
        g_previous(type, context, message);
}

} // namespace

void QtNoiseFilter::install()
{
    static bool installed = false;
    if (installed)
        return;
    installed = true;
    g_previous = qInstallMessageHandler(filter);
}
