#pragma once

#include <QString>

class QWidget;

// The Help > Keyboard Shortcuts table, read off the window's actions, buttons and QShortcuts rather than written by
// hand, so a shortcut added to any panel appears in it. One row per key sequence; a key shared by several panels
// (Ctrl+Return trains in two) lists its meaning once.
class ShortcutList {
public:
    static QString html(const QWidget* window);
};
