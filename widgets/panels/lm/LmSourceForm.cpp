#include "LmSourceForm.h"

#include "lm/GptConfig.h"
#include "lm/GptHookPoint.h"
#include "lm/TextCorpus.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>

LmSourceForm::LmSourceForm(QWidget* parent) : QWidget(parent)
{
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(6);
    grid->setVerticalSpacing(3);
    m_model = addPathRow(0, tr("Model"),
                         tr("A language-model folder in the Hugging Face GPT-2 layout: config.json and "
                            "model.safetensors (plus vocab.json and merges.txt for GPT-2's tokenizer; bytes "
                            "otherwise). `featurescope lm train --out DIR` makes one."),
                         true);
    m_sae = addPathRow(1, tr("SAE"),
                       tr("An SAELens folder (cfg.json + sae_weights.safetensors) trained on one of the model's "
                          "hooks; its cfg.json sets the hook and TransformerLens's processing"),
                       true);
    m_corpus = addPathRow(2, tr("Corpus"),
                          tr("A text file, or a folder whose files are read in name order (default: the fortunes "
                             "package's texts)"),
                          false);
    m_corpus->setText(QString::fromLatin1(featurescope::TextCorpus::kDefaultPath));

    auto* hookLabel = new QLabel(tr("Hook"), this);
    m_hook = new QComboBox(this);
    m_hook->setEditable(true);
    m_hook->setObjectName(QStringLiteral("lmHook"));
    m_hook->setMinimumContentsLength(22);
    m_hook->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_hook->setToolTip(tr("The TransformerLens hook the SAE reads: its cfg.json hook_name when it names one, else "
                          "blocks.0.mlp.hook_post"));
    m_hook->setEditText(LmDashboardData::defaultHook());
    auto* tokensLabel = new QLabel(tr("Tokens"), this);
    m_tokens = new QSpinBox(this);
    m_tokens->setObjectName(QStringLiteral("lmTokens"));
    m_tokens->setRange(64, 4'000'000);
    m_tokens->setSingleStep(4096);
    m_tokens->setValue(16384);
    m_tokens->setGroupSeparatorShown(true);
    m_tokens->setToolTip(tr("Token positions to scan, in whole windows of up to 128 tokens (BOS included)"));
    m_scan = new QPushButton(tr("Scan"), this);
    m_scan->setObjectName(QStringLiteral("lmScan"));
    m_scan->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_scan->setToolTip(tr("Run the corpus through the model, encode every position with the SAE and build every "
                          "feature's dashboard (Ctrl+Return)"));
    m_default = new QPushButton(tr("Default model"), this);
    m_default->setObjectName(QStringLiteral("lmDefault"));
    m_default->setToolTip(tr("Scan featurescope's default 1-layer model and its 1024-feature SAE on "
                             "blocks.0.mlp.hook_post, kept in the cache folder; the first time they are trained on the "
                             "corpus (about two minutes on two cores)"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("lmCancel"));
    m_cancel->setEnabled(false);
    m_cancel->setToolTip(tr("Stop the scan; the features shown before stay"));
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(10);
    m_progress->setVisible(false);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("lmStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* row = new QHBoxLayout;
    row->setSpacing(6);
    row->addWidget(hookLabel);
    row->addWidget(m_hook, 2);
    row->addWidget(tokensLabel);
    row->addWidget(m_tokens, 1);
    row->addWidget(m_scan);
    row->addWidget(m_default);
    row->addWidget(m_cancel);
    grid->addLayout(row, 3, 0, 1, 3);
    grid->addWidget(m_progress, 4, 0, 1, 3);
    grid->addWidget(m_status, 5, 0, 1, 3);
    grid->setColumnStretch(1, 1);

    connect(m_scan, &QPushButton::clicked, this, &LmSourceForm::scanRequested);
    connect(m_cancel, &QPushButton::clicked, this, &LmSourceForm::cancelRequested);
    connect(m_default, &QPushButton::clicked, this, &LmSourceForm::defaultRequested);
    connect(m_model, &QLineEdit::editingFinished, this, &LmSourceForm::onModelChanged);
    connect(m_sae, &QLineEdit::editingFinished, this, &LmSourceForm::onSaeChanged);
    connect(m_hook, &QComboBox::activated, this, [this] { m_hookChosen = true; });
}

QLineEdit* LmSourceForm::addPathRow(int row, const QString& label, const QString& toolTip, bool directory)
{
    auto* grid = static_cast<QGridLayout*>(layout());
    auto* name = new QLabel(label, this);
    auto* edit = new QLineEdit(this);
    edit->setToolTip(toolTip);
    edit->setClearButtonEnabled(true);
    edit->setPlaceholderText(directory ? tr("folder…") : tr("file or folder…"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    browse->setToolTip(tr("Choose the %1").arg(label.toLower()));
    name->setBuddy(edit);
    grid->addWidget(name, row, 0);
    grid->addWidget(edit, row, 1);
    grid->addWidget(browse, row, 2);
    connect(browse, &QPushButton::clicked, this, [this, edit, directory, label] {
        const QString start = edit->text().isEmpty() ? QString() : QFileInfo(edit->text()).absoluteFilePath();
        const QString chosen = directory ? QFileDialog::getExistingDirectory(this, tr("Choose the %1 folder").arg(label.toLower()), start)
                                         : QFileDialog::getOpenFileName(this, tr("Choose the corpus"), start);
        if (chosen.isEmpty())
            return;
        edit->setText(chosen);
        Q_EMIT edit->editingFinished();
    });
    return edit;
}

void LmSourceForm::onModelChanged()
{
    // Offer every hook of the model (its config.json is small; an unreadable one leaves the list as it was).
    int layers = 0;
    try {
        layers = featurescope::GptConfig::read(m_model->text().toStdString() + "/config.json").layers;
    } catch (const std::exception&) {
        return;
    }
    const QString current = m_hook->currentText();
    m_hook->clear();
    for (const auto& point : featurescope::GptHookPoint::all(layers))
        m_hook->addItem(QString::fromStdString(point.name()));
    m_hook->setEditText(current);
}

void LmSourceForm::onSaeChanged()
{
    if (m_hookChosen)
        return;
    const QString hook = LmDashboardData::hookNameOf(m_sae->text());
    m_hook->setEditText(hook.isEmpty() ? LmDashboardData::defaultHook() : hook);
}

LmDashboardData::Request LmSourceForm::request() const
{
    LmDashboardData::Request r;
    r.modelDir = m_model->text().trimmed();
    r.saeDir = m_sae->text().trimmed();
    r.corpusPath = m_corpus->text().trimmed();
    r.hook = m_hook->currentText().trimmed();
    r.tokens = std::uint64_t(m_tokens->value());
    return r;
}

void LmSourceForm::setRequest(const LmDashboardData::Request& r)
{
    m_model->setText(r.modelDir);
    onModelChanged();
    m_sae->setText(r.saeDir);
    m_corpus->setText(r.corpusPath);
    m_hookChosen = !r.hook.isEmpty();
    if (r.hook.isEmpty())
        onSaeChanged();
    else
        m_hook->setEditText(r.hook);
    m_tokens->setValue(int(std::min<std::uint64_t>(r.tokens, std::uint64_t(m_tokens->maximum()))));
}

void LmSourceForm::setRunning(bool running)
{
    m_scan->setEnabled(!running);
    m_default->setEnabled(!running);
    m_cancel->setEnabled(running);
    m_progress->setVisible(running);
    if (running)
        m_progress->setValue(0);
}

void LmSourceForm::setProgress(double fraction, const QString& message)
{
    m_progress->setValue(int(1000.0 * fraction));
    if (!message.isEmpty())
        setStatus(message + QStringLiteral("…"));
}

void LmSourceForm::setStatus(const QString& text)
{
    m_error = false;
    m_status->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_status->setText(text);
}

void LmSourceForm::setError(const QString& text)
{
    m_error = true;
    m_status->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_status->setText(text);
}

QString LmSourceForm::statusText() const { return m_status->text(); }
