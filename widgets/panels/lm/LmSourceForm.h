#pragma once

#include "LmDashboardData.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

// Where an LM dashboard comes from: a model folder, an SAELens SAE folder and a corpus (each a line edit with a
// Browse button), the hook (the SAE's cfg.json hook_name when it names one, else blocks.0.mlp.hook_post; every hook
// of the model to choose from) and the token budget. Scan and Cancel, a progress bar and one status line, which
// shows errors in red.
class LmSourceForm : public QWidget {
    Q_OBJECT
public:
    explicit LmSourceForm(QWidget* parent = nullptr);

    LmDashboardData::Request request() const;
    void setRequest(const LmDashboardData::Request& request);

    void setRunning(bool running);
    void setProgress(double fraction, const QString& message);
    void setStatus(const QString& text);
    void setError(const QString& text);
    QString statusText() const;
    bool statusIsError() const { return m_error; }

    QPushButton* scanButton() const { return m_scan; }
    QPushButton* defaultButton() const { return m_default; }
    QPushButton* cancelButton() const { return m_cancel; }
    QComboBox* hookBox() const { return m_hook; }

Q_SIGNALS:
    void scanRequested();
    void defaultRequested(); // scan featurescope's default model and SAE (trained into the cache when missing)
    void cancelRequested();

private:
    QLineEdit* addPathRow(int row, const QString& label, const QString& toolTip, bool directory);
    void onModelChanged();
    void onSaeChanged();

    QLineEdit* m_model = nullptr;
    QLineEdit* m_sae = nullptr;
    QLineEdit* m_corpus = nullptr;
    QComboBox* m_hook = nullptr;
    QSpinBox* m_tokens = nullptr;
    QPushButton* m_scan = nullptr;
    QPushButton* m_default = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    bool m_error = false;
    bool m_hookChosen = false; // the user picked a hook: a new SAE folder does not override it
};
