#pragma once

#include "ScaleLabJob.h"

#include <QWidget>

#include <nlohmann/json_fwd.hpp>

#include <string>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;

// The top row of the scale-invariance tab: which model (a toy model, the MLP or a tensor of a safetensors file), the
// file controls, Cancel and a status line. Changes made through the methods are silent; choiceChanged() reports only
// what the user picked, so the tab decides when to compute.
class ScaleLabModelBar : public QWidget {
    Q_OBJECT
public:
    explicit ScaleLabModelBar(QWidget* parent = nullptr);

    ScaleLabModel model() const;
    void setModel(ScaleLabModel model);
    QString filePath() const { return m_filePath; }
    QString tensor() const;
    bool transpose() const;
    // Selects the File model with `tensor` of `path` (added to the tensor list when missing).
    void setMatrix(const QString& path, const QString& tensor, bool transpose);

    void setStatus(const QString& text, const QString& toolTip = QString());
    QString status() const;
    void setCancelEnabled(bool enabled);

    // Sessions: the shared scale-lab config (experiments/ScaleLabConfig) in the tab's settings object.
    void writeState(nlohmann::json& settings) const;
    void validateState(const nlohmann::json& settings, const std::string& where) const;
    void applyState(const nlohmann::json& settings);

Q_SIGNALS:
    void choiceChanged();
    void cancelRequested();

private:
    void chooseFile();
    void showFileControls();

    QComboBox* m_modelChoice = nullptr;
    QPushButton* m_openFile = nullptr;
    QComboBox* m_tensorChoice = nullptr;
    QCheckBox* m_transpose = nullptr;
    QPushButton* m_cancel = nullptr;
    QLabel* m_status = nullptr;
    QString m_filePath;
    bool m_updating = false; // set while the methods change the controls, so no choiceChanged() fires
};
