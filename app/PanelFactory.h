#pragma once

#include <QStringList>

class Panel;
class QWidget;

// Creates the panels by id, for the main window and for headless rendering alike.
class PanelFactory {
public:
    static QStringList panelIds(); // in the order the main window shows them
    static Panel* create(const QString& id, QWidget* parent);
};
