#pragma once

#include "FigureExporter.h"

#include <QDialog>
#include <QList>
#include <QPointer>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

// One thing the export dialog can draw: a figure of a panel, or the whole panel.
struct ExportTarget {
    QString name;             // shown in the dialog and used in the suggested file name
    QPointer<QWidget> widget;
};

// Exports a figure or a whole panel to PNG/PDF/SVG (format from the file name) or copies it to the clipboard as a
// PNG image: size presets (slide, 1280×720, square, current, custom W×H in logical pixels), PNG scale, transparent
// background, whether the selection highlight is drawn, and a caption line (the caller's parameters plus the
// export's own) to copy beside the figure. All drawing goes through FigureExporter.
class ExportDialog : public QDialog {
    Q_OBJECT
public:
    // `baseName` prefixes suggested file names ("featurescope-energy"); `directory` is where they go.
    ExportDialog(const QList<ExportTarget>& targets, const QString& caption, const QString& directory,
                 const QString& baseName, QWidget* parent = nullptr);

    QWidget* targetWidget() const;
    QString targetName() const;
    QString path() const;
    ExportOptions options() const;
    QString caption() const; // the caller's caption plus size, scale and theme
    // Returns an empty string on success, else the error (also shown to the user when the dialog is visible).
    QString exportToFile();
    QString copyToClipboard();

    // The size presets, in combo-box order; an invalid size means "current size" (-1) or "custom" (-2).
    static QList<QPair<QString, QSize>> sizePresets();

private:
    void updateControls();
    void suggestPath();
    void reportError(const QString& error);

    QList<ExportTarget> m_targets;
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
    QLineEdit* m_caption = nullptr;
    QPushButton* m_copyCaption = nullptr;
    QPushButton* m_export = nullptr;
    QPushButton* m_copyImage = nullptr;
    QLabel* m_status = nullptr;
};
