#include "StudyJobBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

StudyJobBar::StudyJobBar(const QString& jobTitle, const QString& runText, const QString& runTip, QWidget* parent)
    : QWidget(parent)
{
    m_job = new BackgroundJob(jobTitle, this);
    m_run = new QPushButton(runText, this);
    m_run->setToolTip(runTip);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setToolTip(tr("Stop now; the results shown before stay"));
    m_cancel->setEnabled(false);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(12);
    m_progress->setToolTip(tr("Progress of the whole run"));
    m_status = new QLabel(tr("Not run yet."), this);
    m_status->setWordWrap(true);
    m_status->setToolTip(tr("What is running, or what the results shown were computed from"));

    auto* buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancel);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);

    connect(m_run, &QPushButton::clicked, this, &StudyJobBar::runRequested);
    connect(m_cancel, &QPushButton::clicked, this, &StudyJobBar::cancel);
    connect(m_job, &BackgroundJob::progress, this, [this](double fraction, const QString& message) {
        m_progress->setValue(int(std::lround(1000.0 * fraction)));
        m_status->setText(message.toHtmlEscaped());
        Q_EMIT workProgress(fraction, message);
    });
    connect(m_job, &BackgroundJob::finished, this, [this](BackgroundJob::Outcome outcome, const QString& message) {
        setRunning(false);
        if (outcome == BackgroundJob::Outcome::Failed)
            setError(message);
        else if (outcome == BackgroundJob::Outcome::Cancelled)
            m_status->setText(tr("Cancelled; the results shown are those finished before."));
        Q_EMIT workFinished(outcome == BackgroundJob::Outcome::Succeeded ? m_job->title() + tr(": done")
                            : outcome == BackgroundJob::Outcome::Cancelled ? m_job->title() + tr(": cancelled")
                                                                           : message);
    });
}

StudyJobBar::~StudyJobBar() { m_job->abandon(); }

void StudyJobBar::start(const QString& description, BackgroundJob::Work work)
{
    setRunning(true);
    m_status->setText(tr("Starting…"));
    Q_EMIT workStarted(description);
    m_job->setTitle(description);
    m_job->start(std::move(work));
}

void StudyJobBar::setStatus(const QString& text) { m_status->setText(text.toHtmlEscaped()); }

void StudyJobBar::setError(const QString& text)
{
    m_status->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(text.toHtmlEscaped()));
}

void StudyJobBar::setRunnable(bool runnable, const QString& why)
{
    m_runnable = runnable;
    m_run->setEnabled(runnable && !isRunning());
    if (!runnable && !why.isEmpty())
        setStatus(why);
}

void StudyJobBar::setRunning(bool running)
{
    m_run->setEnabled(!running && m_runnable);
    m_cancel->setEnabled(running);
    if (!running)
        m_progress->setValue(0);
}
