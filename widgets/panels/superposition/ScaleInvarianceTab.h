#pragma once

#include "ScaleLabJob.h"

#include <QStringList>
#include <QWidget>

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

class LogScatterPlot;
class QLabel;
class BackgroundJob;
class ScaleLabModelBar;
class ScaleLabPlots;
class ScaleSliderRow;

// The scale-invariance tab of the Superposition panel (what docs/ARCHITECTURE.md calls the scale-invariance lab):
// choose a model, move c on a log slider from 0.1 to 10, and watch W -> cW: features per dimension grows as c² while
// D_i (and a bias-free classifier's accuracy) stay flat, the softmax sharpens while the argmax stays, and a tied toy
// model's loss is lowest at c = 1. A reading generated from the numbers sits under the plots. Models are trained and
// swept in the background (progress and cancel through the work signals, which mirror Panel's so the owning panel
// can forward them); core computes every number. Sections: ScaleLabModelBar, ScaleSliderRow, ScaleLabPlots.
class ScaleInvarianceTab : public QWidget {
    Q_OBJECT
public:
    using Model = ScaleLabModel;

    explicit ScaleInvarianceTab(QWidget* parent = nullptr);
    ~ScaleInvarianceTab() override;

    QStringList figureNames() const; // "scale-lab" (the whole tab), "scale-measures", "scale-output"
    QWidget* figureWidget(const QString& name);
    // Computes the shown model synchronously (the tied toy model when none was computed: it needs no dataset), so
    // a headless render is complete.
    void prepareForRender();
    bool isBusy() const;

    Model model() const;
    void setModel(Model model);           // starts computing that model (File needs setMatrixFile first)
    // Reads `tensor` of a safetensors file as W (columns = features unless `transpose`) and computes it.
    void setMatrixFile(const QString& path, const QString& tensor, bool transpose = false);
    void setDataDirectory(const QString& directory); // Fashion-MNIST IDX files (default: the Debian package's)
    void setScale(double c);              // moves the slider (clamped to [0.1, 10])
    double scale() const;
    void waitForWork();                   // blocks until the background work is done and shown (tests, rendering)

    // Sessions: the model choice, file, tensor, transpose and scale. validateSettings throws
    // featurescope::InputError (prefixed with `where`); applySettings sets the controls and recomputes only when the
    // tab had already computed a different model (otherwise it computes when first shown or rendered).
    nlohmann::json saveSettings() const;
    void validateSettings(const nlohmann::json& settings, const std::string& where) const;
    void applySettings(const nlohmann::json& settings);
    QString modelDescription() const { return m_description; }

    // For tests and the owning panel.
    std::shared_ptr<const featurescope::ScaleInvarianceLab> lab() const { return m_lab; }
    const std::vector<featurescope::ScaleInvariancePoint>& sweep() const { return m_points; }
    const featurescope::ScaleInvarianceSummary& summary() const { return m_summary; }
    const featurescope::ScaleInvariancePoint* currentPoint() const { return m_current ? &*m_current : nullptr; }
    LogScatterPlot* measuresPlot() const;
    LogScatterPlot* outputPlot() const;
    QString reading() const;
    QString readout() const;
    QString statusText() const;

public Q_SLOTS:
    void cancelWork();

Q_SIGNALS:
    void workStarted(const QString& description);
    void workProgress(double fraction, const QString& message);
    void workFinished(const QString& message);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void compute(); // starts the model the bar shows
    void start(const ScaleLabRequest& request);
    void onPrepared();
    void showPrepared(const ScaleLabPrepared& prepared);
    void evaluateCurrentScale();
    void onPointEvaluated();
    void showCurrentPoint();

    ScaleLabModelBar* m_modelBar = nullptr;
    ScaleSliderRow* m_slider = nullptr;
    QLabel* m_readout = nullptr;
    ScaleLabPlots* m_plots = nullptr;
    QLabel* m_reading = nullptr;

    BackgroundJob* m_prepareJob = nullptr;
    std::shared_ptr<const ScaleLabPrepared> m_prepared; // delivered by the job before it finishes
    std::optional<ScaleLabRequest> m_pending; // started once the running job has stopped
    BackgroundJob* m_pointJob = nullptr;
    std::optional<featurescope::ScaleInvariancePoint> m_point; // delivered by the job before it finishes
    std::optional<double> m_pendingScale; // evaluated once the running evaluation is done
    std::shared_ptr<const featurescope::ScaleInvarianceLab> m_pointLab; // the lab the running evaluation uses
    ScaleLabRequest m_lastRequest;
    QString m_dataDirectory;
    bool m_started = false;

    std::shared_ptr<const featurescope::ScaleInvarianceLab> m_lab;
    std::vector<featurescope::ScaleInvariancePoint> m_points;
    featurescope::ScaleInvarianceSummary m_summary;
    QString m_description;
    std::optional<featurescope::ScaleInvariancePoint> m_current;
};
