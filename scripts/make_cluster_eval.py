#!/usr/bin/env python3
"""Write the labelled evaluation set for duplicate clustering (deterministic: same output every run).

Usage: python scripts/make_cluster_eval.py [OUT.csv]   (default tests/data/decide/cluster_eval.csv)

Each *demand* below is one proposal as a municipal relatoria might write it, with hand-written
paraphrases (other words, other order, acronym or long form). Demands of one *family* share a
topic but ask for different things: they are the decoys that must never merge ("ampliar o número de
UBS" vs "reformar as UBS existentes"). Every text then gets seeded, realistic noise: accents
dropped, all capitals, typos, acronyms expanded or contracted, clauses reordered, boilerplate
openings. Columns: id, axis, family, group, kind (original/paraphrase/noisy), text.
"""

from __future__ import annotations

import csv
import random
import sys
import unicodedata
from pathlib import Path

SEED = 20260101
DEFAULT_OUT = (
    Path(__file__).resolve().parent.parent / "tests" / "data" / "decide" / "cluster_eval.csv"
)

# axis -> family -> demand -> [original, paraphrase, ...]
CORPUS: dict[str, dict[str, dict[str, list[str]]]] = {
    "atencao-primaria": {
        "ubs": {
            "ubs-ampliar": [
                "Ampliar o número de Unidades Básicas de Saúde nos bairros da periferia.",
                "Aumentar a quantidade de UBS na periferia, garantindo cobertura em todos os bairros.",
                "Construção de novas UBS para expandir a rede de atenção básica nos bairros periféricos.",
            ],
            "ubs-reformar": [
                "Reformar as UBS existentes, com adequação da estrutura física e acessibilidade.",
                "Reforma e adequação das Unidades Básicas de Saúde que já existem, incluindo acessibilidade.",
                "Requalificar a estrutura física das unidades de saúde existentes, garantindo acessibilidade.",
            ],
            "ubs-horario": [
                "Ampliar o horário de funcionamento das UBS até as 22 horas para atender trabalhadores.",
                "Funcionamento das Unidades Básicas de Saúde em horário estendido, até 22h, para quem trabalha de dia.",
                "Garantir terceiro turno nas UBS, funcionando até 22 horas, para a população trabalhadora.",
            ],
        },
        "ubs-bairro": {
            "bairro-reformar": [
                "Reformar a UBS do Jardim das Flores, que está com infiltrações e sem acessibilidade.",
                "Reforma da Unidade Básica de Saúde do Jardim das Flores, corrigindo infiltrações e garantindo acessibilidade.",
            ],
            "bairro-horario": [
                "Ampliar o horário de atendimento da UBS do Jardim das Flores até as 20 horas.",
                "Atendimento até 20h na Unidade Básica de Saúde do Jardim das Flores.",
            ],
            "bairro-medico": [
                "Contratar médico para a UBS do Jardim das Flores, que está sem médico há meses.",
                "Garantir médico na Unidade Básica do Jardim das Flores, hoje sem profissional.",
            ],
        },
        "esf": {
            "esf-cobertura": [
                "Ampliar a cobertura da Estratégia Saúde da Família para 100% do município.",
                "Garantir cobertura de 100% da população pela ESF no município.",
                "Expansão das equipes de Saúde da Família até atingir cobertura total da cidade.",
            ],
            "esf-medicos": [
                "Contratar médicos para completar as equipes de Saúde da Família que estão sem profissional.",
                "Garantir a contratação de médicos para as equipes da ESF incompletas.",
                "Completar com médicos contratados as equipes de saúde da família desfalcadas.",
            ],
        },
        "acs": {
            "acs-contratar": [
                "Realizar concurso público para contratação de Agentes Comunitários de Saúde.",
                "Contratar ACS por concurso público para cobrir todas as microáreas.",
                "Concurso público para agentes comunitários de saúde, cobrindo todas as microáreas descobertas.",
            ],
            "acs-equipar": [
                "Fornecer tablets, uniformes e protetor solar aos Agentes Comunitários de Saúde.",
                "Garantir equipamentos de trabalho para os ACS: tablet, uniforme e protetor solar.",
            ],
            "acs-capacitar": [
                "Capacitar os Agentes Comunitários de Saúde em saúde mental e prevenção ao suicídio.",
                "Formação permanente dos ACS sobre saúde mental e prevenção do suicídio.",
            ],
        },
        "vacina": {
            "vacina-campanha": [
                "Realizar campanhas de vacinação nas escolas para aumentar a cobertura vacinal de crianças e adolescentes.",
                "Campanhas de vacinação dentro das escolas, elevando a cobertura vacinal infantil e de adolescentes.",
                "Levar a vacinação às escolas para ampliar a cobertura vacinal das crianças e dos adolescentes.",
            ],
            "vacina-horario": [
                "Abrir as salas de vacina das UBS aos sábados.",
                "Funcionamento das salas de vacinação aos sábados nas unidades básicas de saúde.",
            ],
            "vacina-rural": [
                "Garantir vacinação itinerante na zona rural com equipe e transporte próprios.",
                "Vacinação volante nas comunidades rurais, com veículo e equipe exclusivos.",
            ],
        },
        "medicamento": {
            "medicamento-farmacia": [
                "Garantir o abastecimento regular de medicamentos da farmácia básica em todas as UBS.",
                "Evitar a falta de remédios da farmácia básica, com abastecimento regular nas unidades de saúde.",
                "Abastecimento contínuo da farmácia básica nas UBS, sem falta de medicamentos.",
            ],
            "medicamento-entrega": [
                "Implantar a entrega domiciliar de medicamentos de uso contínuo para idosos e pessoas com deficiência.",
                "Entregar em casa os medicamentos de uso contínuo de idosos e PCD.",
            ],
            "medicamento-fitoterapico": [
                "Incluir fitoterápicos e plantas medicinais na relação municipal de medicamentos.",
                "Inserir plantas medicinais e fitoterápicos na REMUME do município.",
            ],
        },
        "bucal": {
            "bucal-ceo": [
                "Implantar um Centro de Especialidades Odontológicas no município.",
                "Criação de CEO municipal para atendimento odontológico especializado.",
            ],
            "bucal-protese": [
                "Ofertar próteses dentárias gratuitas pelo SUS para a população idosa.",
                "Garantir prótese dentária gratuita para idosos pelo Sistema Único de Saúde.",
            ],
            "bucal-equipe": [
                "Incluir equipes de saúde bucal em todas as equipes da Estratégia Saúde da Família.",
                "Uma equipe de saúde bucal para cada equipe de ESF.",
            ],
        },
    },
    "saude-mental": {
        "caps": {
            "caps-ad": [
                "Implantar um CAPS AD no município para atendimento de usuários de álcool e outras drogas.",
                "Criação de Centro de Atenção Psicossocial Álcool e Drogas na cidade.",
                "Instalar CAPS álcool e drogas para acolher pessoas que fazem uso de drogas.",
            ],
            "caps-infantil": [
                "Implantar CAPS infantil para atendimento de crianças e adolescentes com sofrimento psíquico.",
                "Criar um CAPSi municipal voltado a crianças e adolescentes em sofrimento mental.",
            ],
            "caps-24h": [
                "Transformar o CAPS em CAPS III com funcionamento 24 horas.",
                "Funcionamento do Centro de Atenção Psicossocial 24 horas, passando a CAPS III.",
            ],
        },
        "caps-sede": {
            "sede-construir": [
                "Construir sede própria para o CAPS II do município, que funciona em casa alugada.",
                "Construção da sede própria do CAPS II, hoje em imóvel alugado.",
            ],
            "sede-equipe": [
                "Contratar psicólogos e assistentes sociais para o CAPS II do município.",
                "Ampliar a equipe do CAPS II com psicólogos e assistentes sociais contratados.",
            ],
            "sede-veiculo": [
                "Adquirir veículo próprio para o CAPS II realizar visitas domiciliares.",
                "Compra de carro para o CAPS II fazer visitas domiciliares.",
            ],
        },
        "raps": {
            "raps-leitos": [
                "Garantir leitos de saúde mental em hospital geral na região.",
                "Abrir leitos psiquiátricos em hospital geral regional.",
            ],
            "raps-residencia": [
                "Implantar Serviço Residencial Terapêutico para pessoas egressas de internação psiquiátrica.",
                "Criar residências terapêuticas para egressos de longas internações psiquiátricas.",
            ],
            "raps-matriciamento": [
                "Fazer matriciamento em saúde mental nas UBS com apoio dos profissionais do CAPS.",
                "Apoio matricial do CAPS às equipes das unidades básicas em saúde mental.",
            ],
        },
        "prevencao": {
            "prevencao-suicidio": [
                "Criar programa municipal de prevenção ao suicídio com foco em jovens.",
                "Programa de prevenção do suicídio entre adolescentes e jovens no município.",
            ],
            "prevencao-escolas": [
                "Levar psicólogos às escolas para acompanhamento da saúde mental dos estudantes.",
                "Garantir psicólogo nas escolas para cuidar da saúde mental dos alunos.",
            ],
            "prevencao-trabalhador": [
                "Cuidar da saúde mental dos trabalhadores da saúde com apoio psicológico.",
                "Apoio psicológico aos profissionais de saúde para prevenir adoecimento mental.",
            ],
        },
        "tea": {
            "tea-diagnostico": [
                "Garantir diagnóstico precoce do Transtorno do Espectro Autista na atenção básica.",
                "Diagnóstico precoce de autismo nas UBS, com equipe capacitada.",
            ],
            "tea-terapias": [
                "Ofertar terapias para crianças com TEA, como fonoaudiologia e terapia ocupacional.",
                "Acesso a fonoaudiólogo e terapeuta ocupacional para crianças autistas.",
            ],
        },
    },
    "gestao-trabalho": {
        "trabalho": {
            "trabalho-concurso": [
                "Realizar concurso público para os profissionais da saúde, acabando com contratos precários.",
                "Substituir os contratos temporários por servidores concursados na saúde.",
                "Concurso público na saúde para eliminar vínculos precários de trabalho.",
            ],
            "trabalho-piso": [
                "Garantir o pagamento do piso salarial da enfermagem.",
                "Cumprir o piso nacional da enfermagem para técnicos, auxiliares e enfermeiros.",
            ],
            "trabalho-pccs": [
                "Criar o Plano de Cargos, Carreiras e Salários dos trabalhadores do SUS municipal.",
                "Implantar PCCS para os trabalhadores da saúde do município.",
            ],
        },
        "controle": {
            "controle-conselho": [
                "Fortalecer o Conselho Municipal de Saúde com sede própria e secretaria executiva.",
                "Garantir sede, estrutura e secretaria executiva para o CMS.",
            ],
            "controle-conselheiros": [
                "Capacitar os conselheiros de saúde sobre orçamento e fiscalização.",
                "Formação de conselheiros municipais de saúde em orçamento público e fiscalização.",
            ],
            "controle-ouvidoria": [
                "Implantar ouvidoria do SUS no município com atendimento presencial e por telefone.",
                "Criar ouvidoria municipal de saúde, presencial e telefônica.",
            ],
        },
        "regulacao": {
            "regulacao-fila": [
                "Reduzir o tempo de espera por consultas especializadas e exames.",
                "Diminuir a fila para consultas com especialistas e realização de exames.",
                "Agilizar o acesso a especialistas e exames, reduzindo a demora.",
            ],
            "regulacao-transparencia": [
                "Dar transparência à fila de regulação, com consulta pública da posição do paciente.",
                "Publicar a fila do SISREG para que o usuário acompanhe sua posição.",
            ],
            "regulacao-tfd": [
                "Garantir transporte e ajuda de custo no Tratamento Fora de Domicílio.",
                "Ajuda de custo e transporte para pacientes em TFD.",
            ],
        },
        "urgencia": {
            "urgencia-samu": [
                "Implantar base descentralizada do SAMU no município.",
                "Criar uma base do SAMU na cidade para reduzir o tempo de resposta.",
            ],
            "urgencia-upa": [
                "Construir uma Unidade de Pronto Atendimento 24 horas.",
                "Construção de UPA 24h no município.",
            ],
            "urgencia-ambulancia": [
                "Adquirir ambulâncias para transporte de pacientes da zona rural.",
                "Compra de ambulâncias para levar pacientes das comunidades rurais.",
            ],
        },
        "hospital": {
            "hospital-uti": [
                "Ampliar o número de leitos de UTI adulto e neonatal no hospital regional.",
                "Aumentar os leitos de terapia intensiva, adulto e neonatal, no hospital da região.",
                "Mais leitos de UTI neonatal e adulto para o hospital regional.",
            ],
            "hospital-construir": [
                "Construir um hospital regional para atender os municípios da microrregião.",
                "Construção de hospital regional que atenda toda a microrregião.",
            ],
            "hospital-maternidade": [
                "Reabrir a maternidade do hospital municipal.",
                "Reabertura da maternidade municipal fechada.",
            ],
        },
        "financiamento": {
            "financiamento-emenda": [
                "Revogar a Emenda Constitucional 95 e garantir financiamento adequado ao SUS.",
                "Pelo fim do teto de gastos da EC 95, com mais recursos para o SUS.",
            ],
            "financiamento-municipio": [
                "Aplicar no mínimo 20% da receita municipal em saúde.",
                "Que o município invista pelo menos 20% do orçamento na saúde.",
            ],
        },
    },
    "equidade": {
        "populacao-rua": {
            "rua-consultorio": [
                "Implantar equipe de Consultório na Rua para a população em situação de rua.",
                "Criar Consultório na Rua para atender pessoas em situação de rua.",
            ],
            "rua-abrigo": [
                "Ampliar vagas em abrigos para a população em situação de rua.",
                "Aumentar o número de vagas de acolhimento institucional para pessoas em situação de rua.",
            ],
        },
        "indigena": {
            "indigena-atendimento": [
                "Garantir atendimento diferenciado e intérprete para os povos indígenas nas unidades de saúde.",
                "Intérprete e atenção diferenciada aos indígenas nos serviços de saúde.",
            ],
            "quilombola": [
                "Garantir equipe de saúde da família exclusiva para as comunidades quilombolas.",
                "Equipe de ESF própria para os quilombos do município.",
            ],
        },
        "mulher": {
            "mulher-preventivo": [
                "Ampliar a oferta de exame preventivo e mamografia para mulheres.",
                "Aumentar o acesso das mulheres ao papanicolau e à mamografia.",
            ],
            "mulher-violencia": [
                "Criar serviço de referência para mulheres vítimas de violência com atendimento 24 horas.",
                "Atendimento 24h às mulheres em situação de violência em serviço de referência.",
            ],
            "mulher-parto": [
                "Garantir parto humanizado e acompanhante na maternidade.",
                "Direito a acompanhante e parto humanizado em todas as maternidades.",
            ],
        },
        "lgbt": {
            "lgbt-ambulatorio": [
                "Implantar ambulatório de atenção à saúde da população trans.",
                "Criação de ambulatório trans para hormonização e acompanhamento.",
            ],
            "lgbt-nome": [
                "Respeitar o nome social da população LGBTQIA+ em todos os serviços de saúde.",
                "Uso do nome social de pessoas LGBT nos atendimentos do SUS.",
            ],
        },
        "idoso": {
            "idoso-cuidador": [
                "Criar programa de cuidadores para idosos acamados.",
                "Programa municipal de cuidador de pessoa idosa acamada.",
            ],
            "idoso-domiciliar": [
                "Ampliar a atenção domiciliar para idosos com dificuldade de locomoção.",
                "Visitas domiciliares regulares para idosos que não conseguem se deslocar até a UBS.",
            ],
        },
        "saneamento": {
            "saneamento-agua": [
                "Garantir água potável para as comunidades rurais com poços artesianos e cisternas.",
                "Acesso a água tratada na zona rural por meio de poços e cisternas.",
            ],
            "saneamento-esgoto": [
                "Ampliar a rede de esgoto tratado nos bairros da periferia.",
                "Levar esgotamento sanitário aos bairros periféricos.",
            ],
        },
        "escola": {
            "pse-ampliar": [
                "Ampliar o Programa Saúde na Escola para todas as escolas municipais.",
                "Levar o PSE a todas as escolas da rede municipal.",
            ],
        },
        "pcd": {
            "pcd-reabilitacao": [
                "Implantar Centro Especializado em Reabilitação no município.",
                "Criar um CER para reabilitação física e intelectual.",
            ],
            "pcd-acessibilidade": [
                "Garantir acessibilidade física e intérprete de Libras nas unidades de saúde.",
                "Unidades de saúde acessíveis e com intérprete de Libras para pessoas com deficiência.",
            ],
        },
    },
}

OPENINGS = ["Propomos ", "Que o município possa ", "Solicitamos ", "Proposta: ", "É necessário "]
ACRONYM_SWAPS = [
    ("Unidades Básicas de Saúde", "UBS"),
    ("Unidade Básica de Saúde", "UBS"),
    ("Agentes Comunitários de Saúde", "ACS"),
    ("Estratégia Saúde da Família", "ESF"),
    ("Centro de Atenção Psicossocial", "CAPS"),
    ("Sistema Único de Saúde", "SUS"),
    ("Conselho Municipal de Saúde", "CMS"),
    ("Tratamento Fora de Domicílio", "TFD"),
    ("Unidade de Pronto Atendimento", "UPA"),
    ("pessoas com deficiência", "PCD"),
]


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def typo(text: str, rng: random.Random) -> str:
    words = text.split()
    for _ in range(rng.randint(1, 2)):
        long_words = [i for i, w in enumerate(words) if len(w) > 5]
        if not long_words:
            break
        i = rng.choice(long_words)
        w = words[i]
        k = rng.randrange(1, len(w) - 2)
        kind = rng.choice(["swap", "drop", "double", "replace"])
        if kind == "swap":
            w = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
        elif kind == "drop":
            w = w[:k] + w[k + 1 :]
        elif kind == "double":
            w = w[:k] + w[k] + w[k:]
        else:
            w = w[:k] + rng.choice("aeiosrnm") + w[k + 1 :]
        words[i] = w
    return " ".join(words)


def swap_acronyms(text: str) -> str:
    for long, short in ACRONYM_SWAPS:
        if long in text:
            return text.replace(long, short)
        if f" {short}" in text and short not in ("PCD",):
            return text.replace(short, long)
    return text


def reorder(text: str, rng: random.Random) -> str:
    body = text.rstrip(".")
    for separator in (", ", " para ", " com "):
        if separator in body:
            head, _, tail = body.partition(separator)
            if separator == ", ":
                return f"{tail[0].upper()}{tail[1:]}, {head[0].lower()}{head[1:]}."
            return f"{separator.strip().capitalize()} {tail}, {head[0].lower()}{head[1:]}."
    return text


def noisy(text: str, rng: random.Random) -> str:
    steps = rng.sample(
        ["accents", "capitals", "typo", "acronym", "reorder", "opening"], k=rng.randint(2, 3)
    )
    for step in steps:
        if step == "accents":
            text = strip_accents(text)
        elif step == "capitals":
            text = text.upper() if rng.random() < 0.5 else text.lower()
        elif step == "typo":
            text = typo(text, rng)
        elif step == "acronym":
            text = swap_acronyms(text)
        elif step == "reorder":
            text = reorder(text, rng)
        else:
            text = rng.choice(OPENINGS) + text[0].lower() + text[1:]
    return text


def build_rows(seed: int = SEED) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    for axis, families in CORPUS.items():
        for family, demands in families.items():
            for group, texts in demands.items():
                variants = [("original", texts[0])] + [("paraphrase", t) for t in texts[1:]]
                for _ in range(max(2, 5 - len(texts))):
                    variants.append(("noisy", noisy(rng.choice(texts), rng)))
                for kind, text in variants:
                    rows.append(
                        {
                            "id": f"p{len(rows) + 1:04d}",
                            "axis": axis,
                            "family": family,
                            "group": group,
                            "kind": kind,
                            "text": text,
                        }
                    )
    order = list(range(len(rows)))
    rng.shuffle(order)  # ids stay stable; the file order is mixed like real intake
    return [rows[i] for i in order]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    rows = build_rows()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["id", "axis", "family", "group", "kind", "text"]
        )
        writer.writeheader()
        writer.writerows(rows)
    groups = len({r["group"] for r in rows})
    print(f"wrote {len(rows)} proposals in {groups} groups to {out}")


if __name__ == "__main__":
    main()
