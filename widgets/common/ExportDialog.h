#pragma once

#include "FigureExporter.h"

#include <QDialog>
#include <QList>
#include <QPointer>

#include <utility>

class Panel;
class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTimer;
class QVBoxLayout;

// One thing the export dialog can draw: a figure of a panel, or the whole panel.
struct ExportTarget {
    ExportTarget(QString name_, QWidget* widget_, QString id_ = {})
        : name(std::move(name_)), widget(widget_), id(std::move(id_)) {}
    QString name;             // shown in the dialog ("Norm bars")
    QPointer<QWidget> widget;
    QString id;               // the panel's figure id ("norm-bars"), used in the suggested file name; empty: name
};

// Exports a figure or a whole panel to PNG/PDF/SVG (format from the file name) or copies it to the clipboard as a
// PNG image: size presets (16:9 slide pages and a paper column in inches with text in points, screen sizes,
// current, custom W×H in logical pixels), PNG scale, transparent
// background, whether the selection highlight is drawn, and a caption (the panel's Panel::figureCaption, the
// export's size and theme, the app version and date) to copy beside the figure. The figure's texts (titles, axis
// labels, legend entries, annotations) are listed as editable fields grouped by plot; edits go to the figure at
// once through FigureText and stay there (also on screen, across the panel's replots) until "Reset Text".
// A small preview shows what will be written. All drawing goes through FigureExporter.
class ExportDialog : public QDialog {
    Q_OBJECT
public:
    // `baseName` prefixes suggested file names ("featurescope-energy"); `directory` is where they go.
    ExportDialog(const QList<ExportTarget>& targets, const QString& caption, const QString& directory,
                 const QString& baseName, QWidget* parent = nullptr);

    // The panel whose figureCaption() feeds the caption; a target whose widget is the panel itself is "the whole
    // panel" (figure name ""), any other target's name is passed as the figure name.
    void setPanel(Panel* panel);

    QWidget* targetWidget() const;
    QString targetName() const;
    QString path() const;
    ExportOptions options() const;
    // The caller's caption line (if any), the panel's caption for the target, size/scale/theme, version and date.
    QString caption() const;
    // The editable text fields of the current target (one per FigureText entry, in the order shown).
    QList<QLineEdit*> textFields() const;
    // Removes every text override of the current target's plots and lists their own texts again.
    void resetText();
    // Returns an empty string on success, else the error (also shown to the user when the dialog is visible).
    QString exportToFile();
    QString copyToClipboard();

    // A size preset: a page in inches with its tick-label size in points (slides, paper), or logical pixels; an
    // invalid pixel size means "current size" (-1) or "custom" (-2).
    struct SizePreset {
        QString name;
        QSize pixels;
        QSizeF inches; // non-empty for a page preset
        double tickPt = 0.0;
    };
    // In combo-box order; the first (a full 16:9 slide) is the default.
    static QList<SizePreset> sizePresets();
    // The innermost target that is or contains `widget` (the figure under the mouse, not the whole panel that
    // contains every figure); -1 when none does.
    static int innermostTarget(const QList<ExportTarget>& targets, const QWidget* widget);

private:
    struct TextField {
        QPointer<QCustomPlot> plot;
        QString key;
        QLineEdit* edit = nullptr;
    };

    void updateControls();
    void rebuildTextFields();
    QString plotName(QCustomPlot* plot, int index) const;
    QString figureNameOf(int targetIndex) const;
    void schedulePreview();
    void updatePreview();
    void suggestPath();
    void reportError(const QString& error);

    QList<ExportTarget> m_targets;
    QPointer<Panel> m_panel;
    QList<TextField> m_textFields;
    QString m_callerCaption;
    QString m_directory;
    QString m_baseName;
    bool m_pathEdited = false;

    QComboBox* m_target = nullptr;
    QLineEdit* m_path = nullptr;
    QPushButton* m_browse = nullptr;
    QLabel* m_format = nullptr;
    QComboBox* m_preset = nullptr;
    QSpinBox* m_width = nullptr;
    QSpinBox* m_height = nullptr;
    QComboBox* m_scale = nullptr;
    QCheckBox* m_transparent = nullptr;
    QCheckBox* m_selection = nullptr;
    QCheckBox* m_controlsBox = nullptr;
    QCheckBox* m_dataBox = nullptr;
    QCheckBox* m_tightBox = nullptr;
    QPlainTextEdit* m_caption = nullptr;
    QWidget* m_textArea = nullptr;
    QVBoxLayout* m_textLayout = nullptr;
    QPushButton* m_resetText = nullptr;
    QLabel* m_preview = nullptr;
    QTimer* m_previewTimer = nullptr;
    QPushButton* m_copyCaption = nullptr;
    QPushButton* m_export = nullptr;
    QPushButton* m_copyImage = nullptr;
    QLabel* m_status = nullptr;
};
