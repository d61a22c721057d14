#include "ToyTrainingWorker.h"

#include <algorithm>
#include <chrono>

#include <sys/resource.h>
#include <unistd.h>

using featurescope::ProgressReporter;
using featurescope::ToyTrainer;
using featurescope::TrainingStatus;

namespace {
// Training threads yield to the GUI thread: on a 2-core machine the window must stay fluid while both cores train.
// Linux nice values are per thread and inherited by the threads the trainer starts.
void lowerThisThreadsPriority() { setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10); }
} // namespace

ToyTrainingWorker::ToyTrainingWorker(QObject* parent) : QObject(parent), m_job(tr("Training a toy model"), this)
{
    qRegisterMetaType<ToyTrainingWorker::Result>();
    connect(&m_job, &BackgroundJob::progress, this, &ToyTrainingWorker::progress);
    connect(&m_job, &BackgroundJob::finished, this, &ToyTrainingWorker::onJobFinished);
}

ToyTrainingWorker::~ToyTrainingWorker() { m_job.abandon(); }

void ToyTrainingWorker::start(const featurescope::ToyModelConfig& model, const featurescope::TrainingConfig& training)
{
    m_job.cancel();
    m_job.waitForFinished();
    // Validation happens here, on the caller's thread, so a bad configuration is reported before anything runs.
    m_trainer = std::make_unique<ToyTrainer>(model, training);
    m_model = model;
    m_training = training;
    m_restartsMode = training.restarts > 1;
    m_paused = false;
    launch();
}

void ToyTrainingWorker::launch()
{
    m_pauseRequested = false;
    if (m_restartsMode) {
        // Best of k restarts is not shown live: run them all, with progress, then publish the winner.
        m_job.start([this, model = m_model, training = m_training](const ProgressReporter& progress) {
            lowerThisThreadsPriority();
            ProgressReporter stage(progress, 0.0, 1.0);
            auto result = std::make_shared<featurescope::ToyTrainingResult>(ToyTrainer::train(model, training, &stage));
            if (progress.isCancelled())
                return;
            result->analyse();
            m_job.deliver([this, result = Result(result)] { Q_EMIT updated(result); });
        });
        return;
    }
    ToyTrainer* trainer = m_trainer.get();
    m_job.start([this, trainer](const ProgressReporter& progress) {
        lowerThisThreadsPriority();
        using clock = std::chrono::steady_clock;
        int chunk = 16;
        auto lastPublish = clock::now();
        double analyseMs = 0.0;
        // A published result carries its measures and geometry, computed here, not on the GUI thread.
        auto publish = [&] {
            const auto t0 = clock::now();
            auto result = std::make_shared<featurescope::ToyTrainingResult>(trainer->result());
            result->analyse();
            analyseMs = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
            m_job.deliver([this, result = Result(result)] { Q_EMIT updated(result); });
        };
        ProgressReporter quiet; // the trainer's own reports are replaced by "step s of S" below
        while (trainer->status() == TrainingStatus::Running && !progress.isCancelled()) {
            const auto t0 = clock::now();
            trainer->run(&quiet, chunk);
            const double ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
            // Aim for ~25 ms chunks: short enough to pause promptly, long enough to amortise the copies.
            chunk = std::clamp(int(chunk * (ms > 0.0 ? 25.0 / ms : 2.0)), 1, 100000);
            // Publish every 50 ms, or less often when analysing a large model would otherwise eat the training time.
            const auto interval = std::chrono::duration<double, std::milli>(std::max(50.0, 4.0 * analyseMs));
            if (clock::now() - lastPublish > interval || trainer->status() != TrainingStatus::Running) {
                lastPublish = clock::now();
                publish();
                progress.report(double(trainer->stepsDone()) / m_training.steps,
                                "Training: step " + std::to_string(trainer->stepsDone()) + " of " +
                                    std::to_string(m_training.steps));
            }
        }
        publish();
    });
}

void ToyTrainingWorker::pause()
{
    if (!m_job.isRunning() || m_restartsMode)
        return;
    m_pauseRequested = true;
    m_paused = true;
    m_job.cancel();
}

void ToyTrainingWorker::resume()
{
    if (!m_trainer || m_job.isRunning() || m_trainer->status() != TrainingStatus::Running)
        return;
    m_paused = false;
    launch();
}

void ToyTrainingWorker::stop()
{
    m_pauseRequested = false;
    m_job.cancel();
    if (!m_job.isRunning() && m_paused) {
        m_paused = false;
        Q_EMIT finished(tr("Stopped at step %1").arg(m_trainer ? m_trainer->stepsDone() : 0));
    }
}

void ToyTrainingWorker::waitForFinished() { m_job.waitForFinished(); }

void ToyTrainingWorker::onJobFinished(BackgroundJob::Outcome outcome, const QString& error)
{
    if (m_pauseRequested && m_trainer && m_trainer->status() == TrainingStatus::Running) {
        Q_EMIT paused();
        return;
    }
    m_paused = false;
    QString message;
    if (outcome == BackgroundJob::Outcome::Failed) {
        message = error;
    } else if (m_restartsMode) {
        message = outcome == BackgroundJob::Outcome::Cancelled ? tr("Restarts cancelled")
                                                                : tr("Trained best of %1 restarts").arg(m_training.restarts);
    } else if (m_trainer) {
        const auto status = m_trainer->status();
        if (status == TrainingStatus::Diverged)
            message = QString::fromStdString(m_trainer->result().message);
        else if (status == TrainingStatus::Finished)
            message = tr("Trained %1 steps").arg(m_trainer->stepsDone());
        else
            message = tr("Stopped at step %1").arg(m_trainer->stepsDone());
    }
    Q_EMIT finished(message);
}
