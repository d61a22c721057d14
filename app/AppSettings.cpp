#include "AppSettings.h"

#include <QSettings>
#include <QStandardPaths>

namespace {
const QString kWindowGeometry = QStringLiteral("window/geometry");
const QString kWindowState = QStringLiteral("window/state");
const QString kLastPanel = QStringLiteral("window/lastPanel");
const QString kLastExportDirectory = QStringLiteral("export/lastDirectory");
const QString kTheme = QStringLiteral("view/theme");
const QString kRecentFiles = QStringLiteral("files/recent");
const QString kRecentSessions = QStringLiteral("sessions/recent");
const QString kLastOpenDirectory = QStringLiteral("files/lastOpenDirectory");
const QString kAutosaveInterval = QStringLiteral("sessions/autosaveIntervalMinutes");
const QString kTourShown = QStringLiteral("help/tourShown");

QStringList withFront(QStringList list, const QString& path)
{
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > AppSettings::kMaxRecent)
        list.removeLast();
    return list;
}
} // namespace

QByteArray AppSettings::windowGeometry() { return QSettings().value(kWindowGeometry).toByteArray(); }
void AppSettings::setWindowGeometry(const QByteArray& value) { QSettings().setValue(kWindowGeometry, value); }
QByteArray AppSettings::windowState() { return QSettings().value(kWindowState).toByteArray(); }
void AppSettings::setWindowState(const QByteArray& value) { QSettings().setValue(kWindowState, value); }
QString AppSettings::lastPanel()
{
    // The first start opens on a language model's features, the subject most users come for.
    return QSettings().value(kLastPanel, QStringLiteral("features")).toString();
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

QStringList AppSettings::recentFiles() { return QSettings().value(kRecentFiles).toStringList(); }
void AppSettings::addRecentFile(const QString& path) { setRecentFiles(withFront(recentFiles(), path)); }
void AppSettings::setRecentFiles(const QStringList& paths) { QSettings().setValue(kRecentFiles, paths); }
QStringList AppSettings::recentSessions() { return QSettings().value(kRecentSessions).toStringList(); }
void AppSettings::addRecentSession(const QString& path) { setRecentSessions(withFront(recentSessions(), path)); }
void AppSettings::setRecentSessions(const QStringList& paths) { QSettings().setValue(kRecentSessions, paths); }
QString AppSettings::lastOpenDirectory()
{
    return QSettings().value(kLastOpenDirectory, QStandardPaths::writableLocation(QStandardPaths::HomeLocation)).toString();
}
void AppSettings::setLastOpenDirectory(const QString& path) { QSettings().setValue(kLastOpenDirectory, path); }
int AppSettings::autosaveIntervalMinutes() { return qBound(0, QSettings().value(kAutosaveInterval, 3).toInt(), 600); }
void AppSettings::setAutosaveIntervalMinutes(int minutes) { QSettings().setValue(kAutosaveInterval, minutes); }
bool AppSettings::tourShown() { return QSettings().value(kTourShown, false).toBool(); }
void AppSettings::setTourShown(bool shown) { QSettings().setValue(kTourShown, shown); }
