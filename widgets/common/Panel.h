#pragma once

#include <QStringList>
#include <QWidget>

namespace featurescope { struct PanelState; }

// One mission area of the main window. A panel lists its figures (for export and `featurescope render`), reports
// long work through signals the main window shows in its status bar, and can cancel that work.
class Panel : public QWidget {
    Q_OBJECT
public:
    explicit Panel(QWidget* parent = nullptr) : QWidget(parent) {}

    virtual QString title() const = 0;
    virtual QString panelId() const = 0; // "superposition", "features", "energy": used by the CLI and settings
    virtual QStringList figureNames() const { return {}; }
    // What a person calls figure `name` ("Norm bars" for "norm-bars"): the export dialog lists these, while the ids
    // stay the command line's names (`featurescope render --figure norm-bars`).
    virtual QString figureTitle(const QString& name) const;
    // The widget that draws `name` (nullptr for unknown names); the whole panel is exported with `this`.
    virtual QWidget* figureWidget(const QString& name) { Q_UNUSED(name); return nullptr; }
    // Finishes any computation synchronously so a headless render shows a complete figure.
    virtual void prepareForRender() {}
    // Like prepareForRender, for one figure (some figures need their own computation, e.g. a phase diagram).
    virtual void prepareFigureForRender(const QString& figure) { Q_UNUSED(figure); prepareForRender(); }
    virtual bool isBusy() const { return false; }
    // Named starting points (`featurescope render --preset ID`): their ids, and choosing one (false for an unknown id).
    virtual QStringList presetIds() const { return {}; }
    virtual bool selectPreset(const QString& id) { Q_UNUSED(id); return false; }

    // Sessions: saveState writes everything needed to redraw exactly what the panel shows (parameters, seeds,
    // trained weights, selection). restoreState validates first and throws featurescope::InputError with one line
    // when the state is unusable, leaving the panel unchanged.
    virtual void saveState(featurescope::PanelState& state) const { Q_UNUSED(state); }
    virtual void restoreState(const featurescope::PanelState& state) { Q_UNUSED(state); }
    // Runs on a worker thread while a session file opens, before restoreState: may read files the state names (and
    // hand them over), must not touch widgets or members that change.
    virtual void preloadState(const featurescope::PanelState& state) const { Q_UNUSED(state); }
    // One or two lines naming the parameters that made `figure` (model, n, m, sparsity, steps, seed...), for the
    // export dialog's "copy caption".
    virtual QString figureCaption(const QString& figure) const { Q_UNUSED(figure); return {}; }

public Q_SLOTS:
    virtual void cancelWork() {}

Q_SIGNALS:
    void workStarted(const QString& description);
    void workProgress(double fraction, const QString& message);
    void workFinished(const QString& message);
};
