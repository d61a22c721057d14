#pragma once

#include <QByteArray>
#include <QString>

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
};
