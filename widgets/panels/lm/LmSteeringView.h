#pragma once

#include <QWidget>

#include <memory>

class BackgroundJob;
class LmDashboardData;
class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTextEdit;

// Steering with a feature: generate from a prompt with the feature's decoder direction added to its hook at a
// chosen strength (or the feature clamped at it), beside the unsteered text from the same seed. Generation runs in
// the background; strength 0 without clamping reproduces the unsteered text exactly.
class LmSteeringView : public QWidget {
    Q_OBJECT
public:
    explicit LmSteeringView(QWidget* parent = nullptr);
    ~LmSteeringView() override;

    void setData(std::shared_ptr<const LmDashboardData> data);
    void setFeature(int feature);
    int feature() const;
    void setStrength(double strength);
    void setClamp(bool clamp);
    void setSeed(int seed);
    void setPrompt(const QString& prompt);
    QString prompt() const;
    double strength() const;
    bool clamp() const;
    int seed() const;
    // A parentless copy showing the same settings and texts (for export at any size).
    LmSteeringView* copy() const;

    void generate();
    bool isRunning() const;
    void waitForFinished();
    QString steeredText() const { return m_steeredText; }
    QString unsteeredText() const { return m_unsteeredText; }
    QString message() const;
    QPushButton* generateButton() const { return m_generate; }

private:
    void showTexts();

    std::shared_ptr<const LmDashboardData> m_data;
    BackgroundJob* m_job = nullptr;
    QLineEdit* m_prompt = nullptr;
    QSpinBox* m_feature = nullptr;
    QDoubleSpinBox* m_strength = nullptr;
    QCheckBox* m_clamp = nullptr;
    QSpinBox* m_seed = nullptr;
    QSpinBox* m_tokens = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QPushButton* m_generate = nullptr;
    QLabel* m_message = nullptr;
    QLabel* m_steeredTitle = nullptr;
    QTextEdit* m_steered = nullptr;
    QTextEdit* m_unsteered = nullptr;
    QString m_promptUsed;
    QString m_steeredText;
    QString m_unsteeredText;
};
