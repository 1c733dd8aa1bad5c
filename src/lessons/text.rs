//! The engine's own words, in each language a lesson can be in.

pub struct Text {
    pub lesson: &'static str,
    pub step: &'static str,
    pub done: &'static str,
    pub lesson_complete: &'static str,
    pub no_more_hints: &'static str,
    pub hint: &'static str,
    pub solution: &'static str,
    pub no_lesson: &'static str,
    pub unknown_lesson: &'static str,
    pub list_header: &'static str,
    pub completed: &'static str,
    pub not_started: &'static str,
    pub resetting: &'static str,
    /// `next`/`back`: before the step's number.
    pub moving: &'static str,
    pub left: &'static str,
    pub first_step: &'static str,
    pub commands_help: &'static str,
    /// Followed by the `whaleshell --root …` line for a second terminal.
    pub second_terminal: &'static str,
    pub near_miss: &'static str,
    pub no_terminal_shell: &'static str,
    pub missing_flag: &'static str,
    pub extra_flag: &'static str,
    pub other_image: &'static str,
    /// After the flag's name: why it did nothing there.
    pub flag_after_image: &'static str,
    /// Before `--name NAME`.
    pub forgot_name: &'static str,
    /// Before the `-p HOST:CONTAINER` the step uses.
    pub swapped_port: &'static str,
    /// Before the tag the step builds.
    pub wrong_tag: &'static str,
    /// After "this step uses -d", before a run that will hold the terminal.
    pub holds_terminal: &'static str,
    /// Before the container's name.
    pub removed_earlier_try: &'static str,
}

const EN: Text = Text {
    lesson: "Lesson",
    step: "Step",
    done: "Done!",
    lesson_complete: "Lesson complete. Type 'lessons' to pick the next one.",
    no_more_hints: "No more hints: type 'solution' to see the command.",
    hint: "Hint",
    solution: "Solution",
    no_lesson: "No lesson is running: type 'lessons' to see them, 'lesson 1' to start.",
    unknown_lesson: "There is no lesson",
    list_header: "Lessons (type 'lesson N' to start or resume one):",
    completed: "done",
    not_started: "new",
    resetting: "Putting things back as they were at the start of this step…",
    moving: "Replaying what the earlier steps leave behind (this lesson's containers and images), as at the start of step",
    left: "You left the lesson; your progress is saved. Back to your own containers and images.",
    first_step: "This is the first step.",
    commands_help: "While a lesson runs: hint, solution, next, back, skip, reset, progress, leave.",
    second_terminal: "This lesson's containers and images live apart from yours; to see them from another terminal:",
    near_miss: "Close, but not quite:",
    no_terminal_shell: "The container ran `sh`, found no terminal to read from, and exited at once. Add -it to get an interactive terminal.",
    missing_flag: "this step uses",
    extra_flag: "this step is done without",
    other_image: "this step uses the image",
    flag_after_image: "came after the image, so Docker handed it to the container as its command: flags go before the image.",
    forgot_name: "this step names its container; add",
    swapped_port: "-p takes HOST:CONTAINER, the host's port first; this step uses",
    wrong_tag: "this step tags the image",
    holds_terminal:
        "Without it this container keeps the terminal until it ends: Ctrl-C twice leaves it running and gives you the prompt back; then try again with -d.",
    removed_earlier_try: "Removed the container your earlier try at this step left, so the name is free again:",
};

const PT_BR: Text = Text {
    lesson: "Lição",
    step: "Passo",
    done: "Feito!",
    lesson_complete: "Lição concluída. Digite 'lessons' para escolher a próxima.",
    no_more_hints: "Acabaram as dicas: digite 'solution' para ver o comando.",
    hint: "Dica",
    solution: "Solução",
    no_lesson: "Nenhuma lição em andamento: digite 'lessons' para vê-las, 'lesson 1' para começar.",
    unknown_lesson: "Não existe a lição",
    list_header: "Lições (digite 'lesson N' para começar ou continuar uma):",
    completed: "feita",
    not_started: "nova",
    resetting: "Deixando tudo como estava no início deste passo…",
    moving: "Refazendo o que os passos anteriores deixam (os contêineres e imagens desta lição), como no início do passo",
    left: "Você saiu da lição; seu progresso está salvo. De volta aos seus contêineres e imagens.",
    first_step: "Este é o primeiro passo.",
    commands_help: "Durante uma lição: hint, solution, next, back, skip, reset, progress, leave.",
    second_terminal: "Os contêineres e imagens desta lição ficam separados dos seus; para vê-los de outro terminal:",
    near_miss: "Quase:",
    no_terminal_shell: "O contêiner rodou `sh`, não encontrou um terminal para ler e terminou na hora. Acrescente -it para ter um terminal interativo.",
    missing_flag: "este passo usa",
    extra_flag: "este passo é feito sem",
    other_image: "este passo usa a imagem",
    flag_after_image: "veio depois da imagem, então o Docker o entregou ao contêiner como comando: as flags vêm antes da imagem.",
    forgot_name: "este passo dá um nome ao contêiner; acrescente",
    swapped_port: "o -p recebe HOST:CONTÊINER, a porta do host primeiro; este passo usa",
    wrong_tag: "este passo marca a imagem como",
    holds_terminal: "Sem ele este contêiner fica com o terminal até acabar: Ctrl-C duas vezes o deixa rodando e devolve o prompt; depois tente de novo com -d.",
    removed_earlier_try: "Removido o contêiner que a sua tentativa anterior deste passo deixou, para liberar o nome:",
};

pub fn for_locale(locale: &str) -> &'static Text {
    if locale == "pt-BR" {
        &PT_BR
    } else {
        &EN
    }
}
