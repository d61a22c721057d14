#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include "common/Theme.h"

// The one registry of persistent settings: every key and its default live here, typed, instead of string literals
// scattered over the code.
class AppSettings {
public:
    static QByteArray windowGeometry();
    static void setWindowGeometry(const QByteArray& value);
    static QByteArray windowState();
    static void setWindowState(const QByteArray& value);
    static QString lastPanel();                 // default: "superposition"
    static void setLastPanel(const QString& id);
    static QString lastExportDirectory();
    static void setLastExportDirectory(const QString& path);
    static Theme::Id theme();                   // default: Theme::Id::Light
    static void setTheme(Theme::Id id);

    // Most recent first, at most kMaxRecent entries; add* moves an existing entry to the front.
    static constexpr int kMaxRecent = 10;
    static QStringList recentFiles();           // data files: activations, SAE directories, models
    static void addRecentFile(const QString& path);
    static void setRecentFiles(const QStringList& paths);
    static QStringList recentSessions();
    static void addRecentSession(const QString& path);
    static void setRecentSessions(const QStringList& paths);
    static QString lastOpenDirectory();         // default: home
    static void setLastOpenDirectory(const QString& path);
    static int autosaveIntervalMinutes();       // default: 3; 0 turns autosave off
    static void setAutosaveIntervalMinutes(int minutes);
    static bool tourShown();                    // default: false
    static void setTourShown(bool shown);
};
