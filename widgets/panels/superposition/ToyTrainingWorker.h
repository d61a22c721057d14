#pragma once

#include "toy/ToyTrainer.h"

#include <QFutureWatcher>
#include <QObject>

#include <atomic>
#include <memory>

// Trains a toy model off the GUI thread in short chunks and publishes a copy of the state after each chunk (at most
// every ~50 ms), so the views update live without the window stalling. Pausing keeps the trainer for resuming.
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
    void waitForFinished(); // blocks: used by headless rendering and tests
    bool isRunning() const { return m_watcher.isRunning(); }
    bool isPaused() const { return m_paused && !m_watcher.isRunning() && m_trainer != nullptr; }

Q_SIGNALS:
    void updated(const ToyTrainingWorker::Result& result);
    void progress(double fraction, const QString& message);
    void finished(const QString& message); // training ended (done, stopped, cancelled or diverged)
    void paused();

private:
    void launch();
    void onLoopFinished();

    std::unique_ptr<featurescope::ToyTrainer> m_trainer;
    featurescope::ToyModelConfig m_model;
    featurescope::TrainingConfig m_training;
    QFutureWatcher<void> m_watcher;
    std::atomic<bool> m_pauseRequested{false};
    std::atomic<bool> m_stopRequested{false};
    bool m_paused = false;
    bool m_restartsMode = false;
    std::shared_ptr<featurescope::ProgressReporter> m_restartsProgress;
};

Q_DECLARE_METATYPE(ToyTrainingWorker::Result)
