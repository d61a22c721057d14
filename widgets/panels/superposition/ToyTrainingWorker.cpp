#include "ToyTrainingWorker.h"

#include <QtConcurrent/QtConcurrent>

#include <chrono>

#include <sys/resource.h>
#include <unistd.h>

using featurescope::ToyTrainer;
using featurescope::TrainingStatus;

namespace {
// Training threads yield to the GUI thread: on a 2-core machine the window must stay fluid while both cores train.
// Linux nice values are per thread and inherited by the threads the trainer starts.
void lowerThisThreadsPriority() { setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10); }
} // namespace

ToyTrainingWorker::ToyTrainingWorker(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<ToyTrainingWorker::Result>();
    connect(&m_watcher, &QFutureWatcher<void>::finished, this, &ToyTrainingWorker::onLoopFinished);
}

ToyTrainingWorker::~ToyTrainingWorker()
{
    m_stopRequested = true;
    if (m_restartsProgress)
        m_restartsProgress->cancel();
    m_watcher.waitForFinished();
}

void ToyTrainingWorker::start(const featurescope::ToyModelConfig& model, const featurescope::TrainingConfig& training)
{
    m_stopRequested = true;
    if (m_restartsProgress)
        m_restartsProgress->cancel();
    m_watcher.waitForFinished();
    // Validation happens here, on the caller's thread, so a bad configuration is reported before anything runs.
    auto trainer = std::make_unique<ToyTrainer>(model, training);
    m_trainer = std::move(trainer);
    m_model = model;
    m_training = training;
    m_restartsMode = training.restarts > 1;
    m_paused = false;
    launch();
}

void ToyTrainingWorker::launch()
{
    m_pauseRequested = false;
    m_stopRequested = false;
    ToyTrainer* trainer = m_trainer.get();
    if (m_restartsMode) {
        // Best of k restarts is not shown live: run them all, with progress, then publish the winner.
        m_restartsProgress = std::make_shared<featurescope::ProgressReporter>(
            [this](double f, const std::string& msg) { Q_EMIT progress(f, QString::fromStdString(msg)); });
        auto model = m_model;
        auto training = m_training;
        auto reporter = m_restartsProgress;
        m_watcher.setFuture(QtConcurrent::run([this, model, training, reporter] {
            lowerThisThreadsPriority();
            auto result = std::make_shared<featurescope::ToyTrainingResult>(
                ToyTrainer::train(model, training, reporter.get()));
            result->analyse();
            Q_EMIT updated(result);
        }));
        return;
    }
    m_watcher.setFuture(QtConcurrent::run([this, trainer] {
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
            Q_EMIT updated(result);
        };
        featurescope::ProgressReporter reporter;
        while (trainer->status() == TrainingStatus::Running) {
            if (m_stopRequested || m_pauseRequested)
                break;
            const auto t0 = clock::now();
            trainer->run(&reporter, chunk);
            const double ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
            // Aim for ~25 ms chunks: short enough to pause promptly, long enough to amortise the copies.
            chunk = std::clamp(int(chunk * (ms > 0.0 ? 25.0 / ms : 2.0)), 1, 100000);
            // Publish every 50 ms, or less often when analysing a large model would otherwise eat the training time.
            const auto interval = std::chrono::duration<double, std::milli>(std::max(50.0, 4.0 * analyseMs));
            if (clock::now() - lastPublish > interval || trainer->status() != TrainingStatus::Running) {
                lastPublish = clock::now();
                publish();
                Q_EMIT progress(double(trainer->stepsDone()) / m_training.steps,
                                QStringLiteral("Training: step %1 of %2").arg(trainer->stepsDone()).arg(m_training.steps));
            }
        }
        publish();
    }));
}

void ToyTrainingWorker::pause()
{
    if (!m_watcher.isRunning() || m_restartsMode)
        return;
    m_pauseRequested = true;
    m_paused = true;
}

void ToyTrainingWorker::resume()
{
    if (!m_trainer || m_watcher.isRunning() || m_trainer->status() != TrainingStatus::Running)
        return;
    m_paused = false;
    launch();
}

void ToyTrainingWorker::stop()
{
    m_stopRequested = true;
    if (m_restartsProgress)
        m_restartsProgress->cancel();
    if (!m_watcher.isRunning() && m_paused) {
        m_paused = false;
        Q_EMIT finished(tr("Stopped at step %1").arg(m_trainer ? m_trainer->stepsDone() : 0));
    }
}

void ToyTrainingWorker::waitForFinished() { m_watcher.waitForFinished(); }

void ToyTrainingWorker::onLoopFinished()
{
    if (m_pauseRequested && !m_stopRequested && m_trainer && m_trainer->status() == TrainingStatus::Running) {
        Q_EMIT paused();
        return;
    }
    m_paused = false;
    QString message;
    if (m_restartsMode) {
        message = (m_restartsProgress && m_restartsProgress->isCancelled()) ? tr("Restarts cancelled") : tr("Trained best of %1 restarts").arg(m_training.restarts);
    } else if (m_trainer) {
        const auto status = m_trainer->status();
        const auto result = m_trainer->result();
        if (status == TrainingStatus::Diverged)
            message = QString::fromStdString(result.message);
        else if (status == TrainingStatus::Finished)
            message = tr("Trained %1 steps").arg(result.stepsDone);
        else
            message = tr("Stopped at step %1").arg(result.stepsDone);
    }
    Q_EMIT finished(message);
}
