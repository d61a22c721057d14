#pragma once

#include "common/ProgressReporter.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

class QThreadPool;

#include <atomic>
#include <functional>
#include <memory>

// One piece of background work, the one way featurescope runs work off the GUI thread (after QGIS's QgsTask):
// - start() runs a function on a thread of the jobs' own pool with a fresh core ProgressReporter (stopping and
//   waiting for any earlier run of this job first). Not on Qt's global pool: Qt's painting splits large image
//   conversions into tasks on the global pool and waits for them, so long jobs there (as many as the machine has
//   cores) froze the window until one of them ended;
// - the reporter's progress arrives on the GUI thread as progress() at most every 50 ms;
// - cancel() sets the reporter's flag; the work ends promptly by returning or by throwing featurescope::Cancelled;
// - deliver() hands a result from the work to the GUI thread, queued on this job, so results, progress and
//   finished() arrive in the order the work produced them;
// - waitForFinished() blocks until the work is done and then delivers this job's own queued calls and its finished()
//   signal, and nothing else of the application's event queue (tests and headless rendering rely on this).
// Every running job is listed in BackgroundTasks, which the main window shows.
class BackgroundJob : public QObject {
    Q_OBJECT
public:
    enum class Outcome { Succeeded, Cancelled, Failed };
    using Work = std::function<void(const featurescope::ProgressReporter& progress)>;

    explicit BackgroundJob(QString title, QObject* parent = nullptr);
    ~BackgroundJob() override; // abandons the work

    void start(Work work);
    // The pool start() uses: a thread per running job, however many run.
    static QThreadPool& pool();
    void cancel();
    bool isRunning() const { return m_watcher.isRunning(); }
    void waitForFinished();
    // Cancels and blocks until the work has stopped, discarding whatever it queued and emitting nothing: for
    // destructors, where delivering results would reach objects that are being destroyed.
    void abandon();
    // From the work's thread: runs `call` on the GUI thread, in order with this job's other signals.
    void deliver(std::function<void()> call);

    QString title() const { return m_title; }
    void setTitle(const QString& title) { m_title = title; }
    double fraction() const { return m_fraction; }
    QString message() const { return m_message; }

Q_SIGNALS:
    void progress(double fraction, const QString& message);
    // The work ended: `message` is the error for Failed, empty otherwise.
    void finished(BackgroundJob::Outcome outcome, const QString& message);

private:
    void onFinished();

    QString m_title;
    QFutureWatcher<void> m_watcher;
    std::shared_ptr<featurescope::ProgressReporter> m_reporter;
    std::atomic<long long> m_lastProgressMs{0};
    // Set by the work's thread, read in onFinished (after the future finished).
    Outcome m_outcome = Outcome::Succeeded;
    QString m_error;
    double m_fraction = 0.0;
    QString m_message;
};
