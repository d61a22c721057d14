#include "AppSettings.h"

#include <QSettings>
#include <QStandardPaths>

namespace {
const QString kWindowGeometry = QStringLiteral("window/geometry");
const QString kWindowState = QStringLiteral("window/state");
const QString kLastPanel = QStringLiteral("window/lastPanel");
const QString kLastExportDirectory = QStringLiteral("export/lastDirectory");
const QString kTheme = QStringLiteral("view/theme");
} // namespace

QByteArray AppSettings::windowGeometry() { return QSettings().value(kWindowGeometry).toByteArray(); }
void AppSettings::setWindowGeometry(const QByteArray& value) { QSettings().setValue(kWindowGeometry, value); }
QByteArray AppSettings::windowState() { return QSettings().value(kWindowState).toByteArray(); }
void AppSettings::setWindowState(const QByteArray& value) { QSettings().setValue(kWindowState, value); }
QString AppSettings::lastPanel()
{
    return QSettings().value(kLastPanel, QStringLiteral("superposition")).toString();
}
void AppSettings::setLastPanel(const QString& id) { QSettings().setValue(kLastPanel, id); }
QString AppSettings::lastExportDirectory()
{
    return QSettings()
        .value(kLastExportDirectory, QStandardPaths::writableLocation(QStandardPaths::PicturesLocation))
        .toString();
}
void AppSettings::setLastExportDirectory(const QString& path) { QSettings().setValue(kLastExportDirectory, path); }

Theme::Id AppSettings::theme()
{
    return Theme::fromName(QSettings().value(kTheme, Theme::name(Theme::Id::Light)).toString()).value_or(Theme::Id::Light);
}
void AppSettings::setTheme(Theme::Id id) { QSettings().setValue(kTheme, Theme::name(id)); }
