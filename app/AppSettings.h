#pragma once

#include <QByteArray>
#include <QString>

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
};
