#pragma once

#include "common/BackgroundJob.h"
#include "toy/ToyTrainer.h"

#include <QObject>

#include <memory>

// Trains a toy model as a background job in short chunks and publishes a copy of the state after each chunk (at most
// every ~50 ms), so the views update live without the window stalling. Pausing ends the job but keeps the trainer, so
// resuming continues where it stopped.
class ToyTrainingWorker : public QObject {
    Q_OBJECT
public:
    using Result = std::shared_ptr<const featurescope::ToyTrainingResult>;

    explicit ToyTrainingWorker(QObject* parent = nullptr);
    ~ToyTrainingWorker() override;

    // Starts a fresh training (stopping any running one). Throws featurescope::InputError for a bad configuration.
    void start(const featurescope::ToyModelConfig& model, const featurescope::TrainingConfig& training);
    void pause();
    void resume();
    void stop();            // ends the run, keeping what was trained
    void waitForFinished(); // blocks, then delivers this worker's pending updates: used by headless rendering and tests
    bool isRunning() const { return m_job.isRunning(); }
    bool isPaused() const { return m_paused && !m_job.isRunning() && m_trainer != nullptr; }

Q_SIGNALS:
    void updated(const ToyTrainingWorker::Result& result);
    void progress(double fraction, const QString& message);
    void finished(const QString& message); // training ended (done, stopped, cancelled or diverged)
    void paused();

private:
    void launch();
    void onJobFinished(BackgroundJob::Outcome outcome, const QString& error);

    BackgroundJob m_job;
    std::unique_ptr<featurescope::ToyTrainer> m_trainer;
    featurescope::ToyModelConfig m_model;
    featurescope::TrainingConfig m_training;
    bool m_pauseRequested = false;
    bool m_paused = false;
    bool m_restartsMode = false;
};

Q_DECLARE_METATYPE(ToyTrainingWorker::Result)
