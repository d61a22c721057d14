#pragma once

#include "scale/ScaleInvarianceLab.h"
#include "scale/ScaleInvariancePoint.h"
#include "scale/ScaleInvarianceSummary.h"

#include <QFutureWatcher>
#include <QStringList>
#include <QWidget>

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <optional>
#include <vector>

class LogScatterPlot;
class QtProgressBridge;
class QCheckBox;
class QComboBox;
class QCPGraph;
class QCPItemLine;
class QLabel;
class QPushButton;
class QSlider;

// The scale-invariance lab (DESIGN.md §3; the seed's critique of "features per dimension"): a tab of the
// Superposition panel. Choose a model, move c on a log slider from 0.1 to 10, and watch W -> cW: features per
// dimension grows as c² while D_i (and a bias-free classifier's accuracy) stay flat, the softmax sharpens while the
// argmax stays, and a tied toy model's loss is lowest at c = 1. A reading generated from the numbers sits under the
// plots. Models are trained and swept in the background (progress and cancel through the work signals, which mirror
// Panel's so the owning panel can forward them); core computes every number.
class ScaleInvarianceLab : public QWidget {
    Q_OBJECT
public:
    enum class Model { TiedToy, UntiedToy, FashionMlp, File };

    explicit ScaleInvarianceLab(QWidget* parent = nullptr);
    ~ScaleInvarianceLab() override;

    QStringList figureNames() const; // "scale-lab" (the whole lab), "scale-measures", "scale-output"
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
    // lab had already computed a different model (otherwise it computes when first shown or rendered).
    nlohmann::json saveSettings() const;
    void validateSettings(const nlohmann::json& settings, const std::string& where) const;
    void applySettings(const nlohmann::json& settings);
    QString modelDescription() const { return m_description; }

    // For tests and the owning panel.
    std::shared_ptr<const featurescope::ScaleInvarianceLab> lab() const { return m_lab; }
    const std::vector<featurescope::ScaleInvariancePoint>& sweep() const { return m_points; }
    const featurescope::ScaleInvarianceSummary& summary() const { return m_summary; }
    const featurescope::ScaleInvariancePoint* currentPoint() const { return m_current ? &*m_current : nullptr; }
    LogScatterPlot* measuresPlot() const { return m_measures; }
    LogScatterPlot* outputPlot() const { return m_output; }
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

public:
    // What the background job computes (public so the job function in the .cpp can build it).
    struct Request {
        Model model = Model::TiedToy;
        QString dataDirectory;
        QString path;
        QString tensor;
        bool transpose = false;
        std::uint64_t seed = 0;
    };
    struct Prepared {
        std::shared_ptr<const featurescope::ScaleInvarianceLab> lab;
        std::vector<featurescope::ScaleInvariancePoint> points;
        featurescope::ScaleInvarianceSummary summary;
        QString description;
        QString contrast; // the tied toy model's loss beside a model whose scale is free
        QString error;
        bool cancelled = false;
    };

private:
    void start(const Request& request);
    void onPrepared();
    void showPrepared(const Prepared& prepared);
    void onModelChosen();
    void chooseFile();
    void onSliderMoved();
    void evaluateCurrentScale();
    void onPointEvaluated();
    void showCurrentPoint();
    void drawSweep();
    void drawMeasures();
    void drawOutput();
    void placeMarkers();
    QString currentModelLabel() const;

    QComboBox* m_modelChoice = nullptr;
    QPushButton* m_openFile = nullptr;
    QComboBox* m_tensorChoice = nullptr;
    QCheckBox* m_transpose = nullptr;
    QPushButton* m_cancel = nullptr;
    QLabel* m_status = nullptr;
    QSlider* m_slider = nullptr;
    QLabel* m_scaleLabel = nullptr;
    QLabel* m_readout = nullptr;
    LogScatterPlot* m_measures = nullptr;
    LogScatterPlot* m_output = nullptr;
    QWidget* m_plots = nullptr;
    QLabel* m_reading = nullptr;

    QtProgressBridge* m_progress = nullptr;
    QFutureWatcher<Prepared> m_watcher;
    std::optional<Request> m_pending;     // started once the running job has stopped
    QFutureWatcher<featurescope::ScaleInvariancePoint> m_pointWatcher;
    std::optional<double> m_pendingScale; // evaluated once the running evaluation is done
    std::shared_ptr<const featurescope::ScaleInvarianceLab> m_pointLab; // the lab the running evaluation uses
    Request m_lastRequest;
    QString m_dataDirectory;
    QString m_filePath;
    bool m_started = false;
    bool m_updatingControls = false; // guard against control update loops

    std::shared_ptr<const featurescope::ScaleInvarianceLab> m_lab;
    std::vector<featurescope::ScaleInvariancePoint> m_points;
    featurescope::ScaleInvarianceSummary m_summary;
    QString m_description;
    std::optional<featurescope::ScaleInvariancePoint> m_current;

    // Items that follow the slider (recreated with the plots' content).
    QCPGraph* m_measuresMarker = nullptr;
    QCPGraph* m_outputMarker = nullptr;
    QCPItemLine* m_measuresLine = nullptr;
    QCPItemLine* m_outputLine = nullptr;
};
