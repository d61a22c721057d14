#include "BackgroundTasks.h"

#include "BackgroundJob.h"

BackgroundTasks& BackgroundTasks::instance()
{
    static BackgroundTasks tasks;
    return tasks;
}

QList<BackgroundJob*> BackgroundTasks::running() const
{
    QList<BackgroundJob*> jobs;
    for (const auto& job : m_jobs)
        if (job)
            jobs.append(job.data());
    return jobs;
}

void BackgroundTasks::cancelAll()
{
    for (BackgroundJob* job : running())
        job->cancel();
}

void BackgroundTasks::add(BackgroundJob* job)
{
    if (!m_jobs.contains(job))
        m_jobs.append(job);
    Q_EMIT changed();
}

void BackgroundTasks::update(BackgroundJob*) { Q_EMIT changed(); }

void BackgroundTasks::remove(BackgroundJob* job)
{
    if (m_jobs.removeAll(job) > 0)
        Q_EMIT changed();
}
