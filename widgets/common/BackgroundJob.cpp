#include "BackgroundJob.h"

#include "BackgroundTasks.h"
#include "common/Cancelled.h"

#include <QCoreApplication>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrent>

#include <chrono>

namespace {
Q_GLOBAL_STATIC(QThreadPool, jobPool)
} // namespace

QThreadPool& BackgroundJob::pool()
{
    // Jobs are few and long: each gets its own thread (the work parallelises itself with core's TaskPool).
    static const bool sized = [] {
        jobPool()->setMaxThreadCount(256);
        return true;
    }();
    (void)sized;
    return *jobPool();
}

BackgroundJob::BackgroundJob(QString title, QObject* parent) : QObject(parent), m_title(std::move(title))
{
    connect(&m_watcher, &QFutureWatcher<void>::finished, this, &BackgroundJob::onFinished);
}

BackgroundJob::~BackgroundJob() { abandon(); }

void BackgroundJob::abandon()
{
    cancel();
    m_watcher.waitForFinished();
    QCoreApplication::removePostedEvents(this);
    QCoreApplication::removePostedEvents(&m_watcher);
    m_reporter.reset(); // onFinished() now does nothing if its event was already on its way
    BackgroundTasks::instance().remove(this);
}

void BackgroundJob::cancel()
{
    if (m_reporter)
        m_reporter->cancel();
}

void BackgroundJob::start(Work work)
{
    cancel();
    waitForFinished();
    m_outcome = Outcome::Succeeded;
    m_error.clear();
    m_fraction = 0.0;
    m_message.clear();
    m_lastProgressMs = 0;
    // Core calls the reporter on the work's thread: forward at most every 50 ms so a fast loop cannot flood the queue.
    m_reporter = std::make_shared<featurescope::ProgressReporter>([this](double fraction, const std::string& message) {
        using namespace std::chrono;
        const long long now = duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
        if (fraction < 1.0 && now - m_lastProgressMs.load() < 50)
            return;
        m_lastProgressMs = now;
        const QString text = QString::fromStdString(message);
        deliver([this, fraction, text] {
            m_fraction = fraction;
            if (!text.isEmpty())
                m_message = text;
            Q_EMIT progress(fraction, m_message);
            BackgroundTasks::instance().update(this);
        });
    });
    BackgroundTasks::instance().add(this);
    auto reporter = m_reporter;
    m_watcher.setFuture(QtConcurrent::run(&pool(), [this, reporter, work = std::move(work)] {
        try {
            work(*reporter);
            m_outcome = reporter->isCancelled() ? Outcome::Cancelled : Outcome::Succeeded;
        } catch (const featurescope::Cancelled&) {
            m_outcome = Outcome::Cancelled;
        } catch (const std::exception& error) {
            m_outcome = Outcome::Failed;
            m_error = QString::fromStdString(error.what());
        }
    }));
}

void BackgroundJob::deliver(std::function<void()> call)
{
    QMetaObject::invokeMethod(this, std::move(call), Qt::QueuedConnection);
}

void BackgroundJob::waitForFinished()
{
    if (!m_watcher.isRunning() && !m_reporter)
        return;
    m_watcher.waitForFinished();
    // Only this job's queued deliveries and the watcher's own finished event; the rest of the queue waits.
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
    QCoreApplication::sendPostedEvents(&m_watcher);
}

void BackgroundJob::onFinished()
{
    if (!m_reporter)
        return; // delivered already by waitForFinished()
    m_reporter.reset();
    BackgroundTasks::instance().remove(this);
    Q_EMIT finished(m_outcome, m_error);
}
