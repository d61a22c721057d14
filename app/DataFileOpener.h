#pragma once

#include "common/BackgroundJob.h"

#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

class QWidget;

namespace featurescope {
class ImportedSae;
struct ImportedActivations;
} // namespace featurescope

// Opens data files for the main window, off the GUI thread: activations (.npy/.npz/.safetensors, via
// ActivationImport, with a picker when a file holds several candidate arrays) and SAELens SAE folders (a folder
// with cfg.json, or the cfg.json itself, via SaeLensLoader). One load at a time, with progress and cancel through
// BackgroundJob. It never touches a panel: results and errors leave as signals, so a file that cannot be read
// changes nothing (the main window shows the one-line reason).
class DataFileOpener : public QObject {
    Q_OBJECT
public:
    enum class Kind { Activations, Sae, ToyModel, Unknown };
    struct LoadResult;

    explicit DataFileOpener(QWidget* dialogParent);
    ~DataFileOpener() override;

    // What a path is, from its name and (for safetensors) its metadata: a folder or a cfg.json is an SAE, a
    // safetensors file written by `featurescope tms --save` is a toy model, .npy/.npz/.safetensors are activations.
    static Kind classify(const QString& path);
    static QString fileFilter(); // for QFileDialog

    void open(const QString& path); // by classify()
    void openActivations(const QString& path);
    void openSae(const QString& path);
    bool isBusy() const { return m_pending || m_picking; }
    void cancel();
    void waitForFinished(); // tests: blocks until the running load is done and its signals were sent

    // Chooses one of several candidate arrays; returns an empty string to cancel. The default shows a dialog;
    // tests install their own.
    using ArrayPicker = std::function<QString(const QString& path, const QStringList& choices)>;
    void setArrayPicker(ArrayPicker picker) { m_picker = std::move(picker); }

Q_SIGNALS:
    void started(const QString& description);
    void progress(double fraction, const QString& message);
    // The load ended (any outcome); `message` is the status-bar line.
    void finished(const QString& message);
    void activationsLoaded(std::shared_ptr<const featurescope::ImportedActivations> activations);
    void saeLoaded(std::shared_ptr<const featurescope::ImportedSae> sae, const QString& path);
    // One line naming the file and the reason; the caller shows it. Nothing was changed.
    void failed(const QString& message);
    // A file was read successfully (for the recent-files list).
    void opened(const QString& path);

private:
    void launch(const QString& description, const QString& path,
                std::function<LoadResult(const featurescope::ProgressReporter&)> job);
    void onFinished(BackgroundJob::Outcome outcome, const QString& error);
    QString pickArray(const QString& path, const QStringList& choices);

    QWidget* m_dialogParent = nullptr;
    BackgroundJob* m_job = nullptr;
    QString m_path;                      // the file being read
    std::shared_ptr<LoadResult> m_result; // delivered by the job before it finishes
    ArrayPicker m_picker;
    bool m_picking = false;
    bool m_pending = false; // launched, onFinished not yet run
};
