#pragma once

#include "common/BackgroundJob.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

// The run controls every study view of the Feature activations panel shares (sweep, feature splitting, ground truth):
// a Run and a Cancel button, a progress bar and a status line, around one BackgroundJob. The view says what to run;
// the bar shows its progress, lets the user cancel it at any time, and reports start, progress and end through the
// work signals (which the panel forwards to the main window's status bar).
class StudyJobBar : public QWidget {
    Q_OBJECT
public:
    StudyJobBar(const QString& jobTitle, const QString& runText, const QString& runTip, QWidget* parent = nullptr);
    ~StudyJobBar() override; // abandons a running job

    // Starts `work` (stopping a running one first); `description` goes to the status bar.
    void start(const QString& description, BackgroundJob::Work work);
    // From the work's thread: runs `call` on the GUI thread, in order with the job's progress.
    void deliver(std::function<void()> call) { m_job->deliver(std::move(call)); }
    void cancel() { m_job->cancel(); }
    // Cancels and waits, delivering nothing: for the destructor of the view whose members the work's deliveries use.
    void abandon() { m_job->abandon(); }
    bool isRunning() const { return m_job->isRunning(); }
    void waitForFinished() { m_job->waitForFinished(); }
    void setStatus(const QString& text);
    void setError(const QString& text);
    // Disables or enables the Run button (e.g. while the view has nothing it could run).
    void setRunnable(bool runnable, const QString& why = QString());

    QPushButton* runButton() const { return m_run; }
    QPushButton* cancelButton() const { return m_cancel; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* statusLabel() const { return m_status; }

Q_SIGNALS:
    void runRequested();
    void workStarted(const QString& description);
    void workProgress(double fraction, const QString& message);
    void workFinished(const QString& message);

private:
    void setRunning(bool running);

    BackgroundJob* m_job = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    bool m_runnable = true;
};
