#pragma once

#include <QToolButton>

// The main window's task list: a status-bar button that shows how many background jobs run ("2 tasks") and, as its
// menu, each job's title, progress and message with a Cancel entry per job and one to cancel them all. Hidden when
// nothing runs.
class TaskListButton : public QToolButton {
    Q_OBJECT
public:
    explicit TaskListButton(QWidget* parent = nullptr);

private:
    void refresh();
    void rebuildMenu();
};
