#pragma once

#include "ControlComparison.h"
#include "FeatureRunConfig.h"
#include "FeatureSnapshot.h"

#include "common/ProgressReporter.h"

#include <QFutureWatcher>
#include <QObject>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace featurescope {
class ActivationSource;
class MlpClassifier;
struct ImageDataset;
} // namespace featurescope

// Trains an SAE off the GUI thread. One job at a time:
// - train(): builds the source (trains the toy model or the MLP first, with progress), then trains the SAE in short
//   chunks and publishes a FeatureSnapshot (copied SAE + live evaluation) at most every ~80 ms, and more rarely when
//   evaluating takes long, so the window never stalls; at the end, or when stopped, a final snapshot evaluated on the
//   full evaluation set.
// - runControl(): the randomized-weights control (trained MLP vs shuffled copy, same SAE settings on both).
// The trained MLP and toy model are cached between jobs with the same settings. stop() ends any job promptly.
class SaeTrainingWorker : public QObject {
    Q_OBJECT
public:
    using Snapshot = std::shared_ptr<const FeatureSnapshot>;
    using Control = std::shared_ptr<const ControlComparison>;

    explicit SaeTrainingWorker(QObject* parent = nullptr);
    ~SaeTrainingWorker() override;

    // Both validate on the caller's thread (throwing featurescope::InputError) and stop any running job first.
    void train(const FeatureRunConfig& config);
    void runControl(const FeatureRunConfig& config);
    // No training: builds the config's source (a toy model or MLP is retrained from its seed), evaluates `sae` on
    // the same final evaluation set a training run uses and publishes one final snapshot. For SAEs restored from a
    // session or opened from a SAELens folder. `previous` carries the histories and step counts to show.
    struct Restored {
        std::shared_ptr<const featurescope::SparseAutoencoder> sae;
        std::vector<float> lossHistory, mseHistory;
        int step = 0;
        int totalSteps = 0;
        double stepsPerSecond = 0.0;
        QString statusMessage;
        QString origin;
    };
    void evaluate(const FeatureRunConfig& config, Restored restored);
    void stop();
    void waitForFinished();
    bool isRunning() const { return m_watcher.isRunning(); }
    int runId() const { return m_runId; } // the run id stamped on the current training run's snapshots

    // Live evaluation inputs while training, and the final evaluation's (the CLI's --eval default).
    static constexpr int kLiveInputs = 2048;
    static constexpr int kFinalInputs = 8192;

Q_SIGNALS:
    void updated(const SaeTrainingWorker::Snapshot& snapshot);
    void controlReady(const SaeTrainingWorker::Control& control);
    void progress(double fraction, const QString& message);
    // The job ended: `ok` is false for errors (message says what went wrong) and cancelled control runs.
    void finished(const QString& message, bool ok);

private:
    struct MlpBundle;
    struct SourceBundle;
    void launch(std::function<void()> job);
    void onJobFinished();
    void report(double fraction, const QString& message);
    std::shared_ptr<const MlpBundle> mlpFor(const FeatureRunConfig& config, double from, double to);
    SourceBundle buildSource(const FeatureRunConfig& config);
    void trainJob(FeatureRunConfig config, int runId);
    void controlJob(FeatureRunConfig config);
    void evaluateJob(FeatureRunConfig config, Restored restored, int runId);

    QFutureWatcher<void> m_watcher;
    std::atomic<bool> m_stop{false};
    std::shared_ptr<featurescope::ProgressReporter> m_reporter; // cancels toy/MLP training inside core
    std::function<void(double)> m_stageProgress;                // job thread only
    // Set by the job thread, read after the job finished.
    QString m_message;
    bool m_ok = true;
    int m_runId = 0;
    // Caches (touched only by the job thread; jobs never overlap).
    std::string m_mlpKey;
    std::shared_ptr<const MlpBundle> m_mlp;
};

Q_DECLARE_METATYPE(SaeTrainingWorker::Snapshot)
Q_DECLARE_METATYPE(SaeTrainingWorker::Control)
