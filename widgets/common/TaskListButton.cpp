#include "TaskListButton.h"

#include "BackgroundJob.h"
#include "BackgroundTasks.h"

#include <QMenu>
#include <QPointer>

TaskListButton::TaskListButton(QWidget* parent) : QToolButton(parent)
{
    setPopupMode(QToolButton::InstantPopup);
    setToolTip(tr("Background work: progress of each task, and cancel"));
    setMenu(new QMenu(this));
    connect(menu(), &QMenu::aboutToShow, this, &TaskListButton::rebuildMenu);
    connect(&BackgroundTasks::instance(), &BackgroundTasks::changed, this, &TaskListButton::refresh);
    refresh();
}

void TaskListButton::refresh()
{
    const int count = int(BackgroundTasks::instance().running().size());
    setText(count == 1 ? tr("1 task") : tr("%1 tasks").arg(count));
    setVisible(count > 0);
}

void TaskListButton::rebuildMenu()
{
    QMenu* m = menu();
    m->clear();
    const auto jobs = BackgroundTasks::instance().running();
    for (BackgroundJob* job : jobs) {
        QString line = QStringLiteral("%1 — %2 %").arg(job->title()).arg(100.0 * job->fraction(), 0, 'f', 0);
        if (!job->message().isEmpty())
            line += QStringLiteral(" · ") + job->message();
        QAction* action = m->addAction(tr("Cancel: %1").arg(line));
        QPointer<BackgroundJob> target(job);
        connect(action, &QAction::triggered, this, [target] {
            if (target)
                target->cancel();
        });
    }
    if (jobs.size() > 1) {
        m->addSeparator();
        connect(m->addAction(tr("Cancel all")), &QAction::triggered, this, [] { BackgroundTasks::instance().cancelAll(); });
    }
}
