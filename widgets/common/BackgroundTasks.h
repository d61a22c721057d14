#pragma once

#include <QList>
#include <QObject>
#include <QPointer>

class BackgroundJob;

// The background jobs running now, for the main window's task list (title, progress, cancel). Jobs add and remove
// themselves; everything here happens on the GUI thread.
class BackgroundTasks : public QObject {
    Q_OBJECT
public:
    static BackgroundTasks& instance();

    QList<BackgroundJob*> running() const;
    void cancelAll();

    void add(BackgroundJob* job);
    void update(BackgroundJob* job);
    void remove(BackgroundJob* job);

Q_SIGNALS:
    void changed();

private:
    QList<QPointer<BackgroundJob>> m_jobs;
};
