"""The Northwind demo company: its shape, names and words. Data only; ``seed.py`` uses it."""

from __future__ import annotations

from dataclasses import dataclass

DOMAIN = "northwind.example"
ADMIN_EMAIL = f"admin@{DOMAIN}"
COMMS_EMAIL = f"comms@{DOMAIN}"
DEMO_PASSWORD = "rallypoint-demo"  # noqa: S105 (published demo sign-in, printed on purpose)


@dataclass(frozen=True)
class LocationSpec:
    name: str
    city: str
    country: str
    time_zone: str
    share: int  # relative number of people based there
    name_groups: tuple[str, ...]  # where names of people hired there mostly come from


LOCATIONS = (
    LocationSpec(
        "Seattle HQ",
        "Seattle",
        "United States",
        "America/Los_Angeles",
        45,
        (
            "us",
            "us",
            "us",
            "latam",
            "latam",
            "chinese",
            "korean",
            "japanese",
            "indian",
            "indian",
            "nigerian",
            "filipino",
            "vietnamese",
            "spanish",
            "brazilian",
            "persian",
        ),
    ),
    LocationSpec(
        "London",
        "London",
        "United Kingdom",
        "Europe/London",
        20,
        (
            "uk",
            "uk",
            "uk",
            "indian",
            "pakistani",
            "nigerian",
            "ghanaian",
            "italian",
            "french",
            "polish",
            "arabic",
            "scandinavian",
            "portuguese",
            "spanish",
        ),
    ),
    LocationSpec(
        "Berlin",
        "Berlin",
        "Germany",
        "Europe/Berlin",
        20,
        (
            "german",
            "german",
            "german",
            "turkish",
            "polish",
            "ukrainian",
            "czech",
            "italian",
            "french",
            "spanish",
            "scandinavian",
            "finnish",
            "arabic",
            "persian",
            "indian",
        ),
    ),
    LocationSpec(
        "Singapore",
        "Singapore",
        "Singapore",
        "Asia/Singapore",
        15,
        (
            "singaporean",
            "singaporean",
            "singaporean",
            "chinese",
            "malay",
            "indian",
            "indian",
            "filipino",
            "vietnamese",
            "indonesian",
            "japanese",
            "korean",
            "uk",
        ),
    ),
)


@dataclass(frozen=True)
class TeamSpec:
    name: str
    lead_title: str
    titles: tuple[str, ...]
    location: str = ""  # a location name when the whole team sits in one place


@dataclass(frozen=True)
class DepartmentSpec:
    name: str
    head_title: str
    weight: int
    teams: tuple[TeamSpec, ...]


# The CEO's office: the CEO and a few people who work for them directly.
EXECUTIVE = DepartmentSpec(
    "Executive",
    "Chief Executive Officer",
    0,
    (
        TeamSpec(
            "Office of the CEO",
            "Chief of Staff",
            ("Executive Assistant", "Executive Business Partner"),
            "Seattle HQ",
        ),
    ),
)

DEPARTMENTS = (
    DepartmentSpec(
        "Engineering",
        "Chief Technology Officer",
        26,
        (
            TeamSpec(
                "Platform",
                "Engineering Manager, Platform",
                ("Software Engineer", "Senior Software Engineer", "Staff Engineer"),
            ),
            TeamSpec(
                "Payments",
                "Engineering Manager, Payments",
                ("Software Engineer", "Senior Software Engineer", "Backend Engineer"),
            ),
            TeamSpec(
                "Mobile",
                "Engineering Manager, Mobile",
                ("iOS Engineer", "Android Engineer", "Senior Mobile Engineer"),
            ),
            TeamSpec(
                "Web",
                "Engineering Manager, Web",
                ("Frontend Engineer", "Senior Frontend Engineer", "Full-Stack Engineer"),
            ),
            TeamSpec(
                "Data",
                "Engineering Manager, Data",
                ("Data Engineer", "Analytics Engineer", "Machine Learning Engineer"),
            ),
            TeamSpec(
                "Infrastructure",
                "Engineering Manager, Infrastructure",
                ("Site Reliability Engineer", "Platform Engineer", "Senior SRE"),
            ),
            TeamSpec(
                "Security",
                "Head of Security",
                ("Security Engineer", "Application Security Engineer"),
            ),
            TeamSpec("Quality", "QA Lead", ("QA Engineer", "Test Automation Engineer")),
        ),
    ),
    DepartmentSpec(
        "Product",
        "Chief Product Officer",
        8,
        (
            TeamSpec(
                "Product Management",
                "Director of Product",
                ("Product Manager", "Senior Product Manager", "Technical Product Manager"),
            ),
            TeamSpec(
                "Design",
                "Head of Design",
                ("Product Designer", "Senior Product Designer", "Content Designer"),
            ),
            TeamSpec("Research", "Research Lead", ("UX Researcher", "Senior UX Researcher")),
        ),
    ),
    DepartmentSpec(
        "Marketing",
        "Chief Marketing Officer",
        9,
        (
            TeamSpec(
                "Brand", "Brand Director", ("Brand Designer", "Brand Manager", "Video Producer")
            ),
            TeamSpec(
                "Growth",
                "Head of Growth",
                ("Growth Marketer", "Marketing Analyst", "SEO Specialist"),
            ),
            TeamSpec(
                "Content",
                "Head of Content",
                ("Content Strategist", "Copywriter", "Social Media Manager"),
            ),
            TeamSpec(
                "Communications",
                "Internal Communications Manager",
                ("Communications Specialist", "PR Manager", "Events Manager"),
            ),
        ),
    ),
    DepartmentSpec(
        "Sales",
        "Chief Revenue Officer",
        17,
        (
            TeamSpec(
                "Enterprise Sales",
                "Director of Enterprise Sales",
                ("Enterprise Account Executive", "Senior Account Executive", "Solutions Engineer"),
                "Seattle HQ",
            ),
            TeamSpec(
                "Mid-Market",
                "Mid-Market Sales Manager",
                ("Account Executive", "Senior Account Executive"),
            ),
            TeamSpec(
                "EMEA Sales",
                "Head of EMEA Sales",
                ("Account Executive", "Solutions Engineer", "Sales Operations Analyst"),
                "London",
            ),
            TeamSpec(
                "APAC Sales",
                "Head of APAC Sales",
                ("Account Executive", "Solutions Engineer"),
                "Singapore",
            ),
            TeamSpec(
                "Sales Development",
                "Sales Development Manager",
                ("Sales Development Representative", "Business Development Representative"),
            ),
        ),
    ),
    DepartmentSpec(
        "Customer Success",
        "VP of Customer Success",
        12,
        (
            TeamSpec(
                "Onboarding",
                "Onboarding Lead",
                ("Implementation Consultant", "Onboarding Specialist"),
            ),
            TeamSpec(
                "Support",
                "Support Manager",
                ("Support Specialist", "Technical Support Engineer", "Support Team Lead"),
            ),
            TeamSpec(
                "Account Management",
                "Director of Account Management",
                ("Customer Success Manager", "Senior Customer Success Manager"),
            ),
        ),
    ),
    DepartmentSpec(
        "People & Culture",
        "Chief People Officer",
        5,
        (
            TeamSpec(
                "Talent Acquisition",
                "Head of Talent",
                ("Recruiter", "Technical Recruiter", "Recruiting Coordinator"),
            ),
            TeamSpec(
                "People Operations",
                "People Operations Manager",
                ("People Partner", "People Operations Specialist", "Payroll Specialist"),
            ),
            TeamSpec("Learning & Development", "L&D Lead", ("Learning Designer", "L&D Specialist")),
        ),
    ),
    DepartmentSpec(
        "Finance",
        "Chief Financial Officer",
        5,
        (
            TeamSpec(
                "Accounting",
                "Controller",
                ("Accountant", "Senior Accountant", "Accounts Payable Specialist"),
            ),
            TeamSpec("FP&A", "Head of FP&A", ("Financial Analyst", "Senior Financial Analyst")),
            TeamSpec(
                "Procurement", "Procurement Manager", ("Procurement Specialist", "Vendor Manager")
            ),
        ),
    ),
    DepartmentSpec(
        "Operations",
        "Chief Operating Officer",
        7,
        (
            TeamSpec(
                "IT",
                "IT Manager",
                ("IT Support Specialist", "Systems Administrator", "IT Administrator"),
            ),
            TeamSpec(
                "Workplace",
                "Workplace Manager",
                ("Workplace Coordinator", "Office Manager", "Facilities Coordinator"),
            ),
            TeamSpec(
                "Business Operations",
                "Director of Business Operations",
                ("Business Operations Analyst", "Program Manager"),
            ),
        ),
    ),
    DepartmentSpec(
        "Legal",
        "General Counsel",
        3,
        (
            TeamSpec(
                "Legal & Compliance",
                "Deputy General Counsel",
                ("Corporate Counsel", "Compliance Manager", "Privacy Counsel", "Paralegal"),
                "Seattle HQ",
            ),
        ),
    ),
)


@dataclass(frozen=True)
class NameGroup:
    women: tuple[str, ...]
    men: tuple[str, ...]
    family: tuple[str, ...]
    family_women: tuple[str, ...] = ()  # where family names differ for women


# fmt: off
NAMES: dict[str, NameGroup] = {
    "us": NameGroup(
        ("Emily", "Sarah", "Jessica", "Megan", "Rachel", "Lauren", "Hannah", "Olivia", "Madison",
         "Abigail", "Grace", "Kayla", "Brittany", "Courtney"),
        ("Michael", "Ryan", "Tyler", "Brandon", "Kevin", "Justin", "Ethan", "Nathan", "Jacob",
         "Logan", "Caleb", "Dylan", "Marcus", "Trevor"),
        ("Johnson", "Miller", "Davis", "Anderson", "Thompson", "Walker", "Mitchell", "Carter",
         "Parker", "Collins", "Bennett", "Hayes", "Brooks", "Foster", "Washington", "Jenkins"),
    ),
    "uk": NameGroup(
        ("Charlotte", "Amelia", "Isla", "Poppy", "Eleanor", "Harriet", "Freya", "Imogen",
         "Sophie", "Georgia", "Niamh", "Eilidh"),
        ("Oliver", "Harry", "George", "Alfie", "Jack", "Callum", "Rory", "Hamish", "Owen",
         "Theo", "Rhys", "Ciaran"),
        ("Clarke", "Hughes", "Wright", "Evans", "Robinson", "Wood", "Turner", "Hall", "Morgan",
         "Fletcher", "Ashworth", "O'Brien", "MacLeod", "Pritchard"),
    ),
    "german": NameGroup(
        ("Lena", "Hannah", "Lea", "Johanna", "Katharina", "Anja", "Franziska", "Miriam",
         "Jana", "Sophie", "Greta", "Carla"),
        ("Lukas", "Jonas", "Felix", "Maximilian", "Tobias", "Florian", "Matthias", "Jan",
         "Moritz", "Niklas", "Henrik", "Paul"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Koch",
         "Richter", "Wagner", "Schäfer", "Krüger", "Zimmermann", "Brandt"),
    ),
    "scandinavian": NameGroup(
        ("Ingrid", "Astrid", "Sigrid", "Freja", "Maja", "Linnea", "Saga", "Elsa", "Ida"),
        ("Lars", "Erik", "Magnus", "Anders", "Henrik", "Nils", "Bjørn", "Oskar", "Mikkel"),
        ("Andersson", "Johansson", "Nielsen", "Hansen", "Lindqvist", "Berg", "Ødegaard",
         "Halvorsen", "Sørensen"),
    ),
    "finnish": NameGroup(
        ("Aino", "Helmi", "Sanna", "Veera"),
        ("Mikko", "Juha", "Eero", "Antti"),
        ("Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Laine"),
    ),
    "italian": NameGroup(
        ("Giulia", "Chiara", "Francesca", "Alessia", "Sara"),
        ("Marco", "Luca", "Matteo", "Davide", "Lorenzo"),
        ("Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"),
    ),
    "spanish": NameGroup(
        ("Lucía", "Carmen", "Marta", "Elena", "Paula", "Irene"),
        ("Alejandro", "Javier", "Pablo", "Sergio", "Álvaro", "Daniel"),
        ("García", "Fernández", "Martínez", "López", "Sánchez", "Navarro", "Ruiz"),
    ),
    "portuguese": NameGroup(
        ("Inês", "Beatriz", "Mariana", "Joana"),
        ("João", "Tiago", "Rui", "Duarte"),
        ("Silva", "Costa", "Ferreira", "Santos", "Pereira", "Almeida"),
    ),
    "french": NameGroup(
        ("Camille", "Léa", "Chloé", "Manon", "Juliette"),
        ("Julien", "Mathieu", "Antoine", "Hugo", "Thomas"),
        ("Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Rousseau", "Fontaine"),
    ),
    "polish": NameGroup(
        ("Anna", "Katarzyna", "Zofia", "Agnieszka", "Magdalena"),
        ("Piotr", "Tomasz", "Jakub", "Mateusz", "Krzysztof"),
        ("Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski"),
        ("Kowalska", "Nowak", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowska"),
    ),
    "ukrainian": NameGroup(
        ("Olena", "Iryna", "Oksana", "Kateryna"),
        ("Andriy", "Dmytro", "Oleksandr", "Taras"),
        ("Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Melnyk"),
    ),
    "czech": NameGroup(
        ("Petra", "Tereza", "Lucie", "Veronika"),
        ("Ondřej", "Marek", "Lukáš", "Jiří"),
        ("Novák", "Dvořák", "Svoboda", "Procházka"),
        ("Nováková", "Dvořáková", "Svobodová", "Procházková"),
    ),
    "turkish": NameGroup(
        ("Elif", "Zeynep", "Ayşe", "Merve", "Deniz", "Selin"),
        ("Emre", "Mehmet", "Can", "Burak", "Kerem", "Onur"),
        ("Y\u0131lmaz", "Kaya", "Demir", "Şahin", "Çelik", "Ayd\u0131n", "Öztürk"),
    ),
    "arabic": NameGroup(
        ("Layla", "Yasmin", "Noor", "Mariam", "Dana", "Rania"),
        ("Omar", "Karim", "Yusuf", "Tariq", "Sami", "Khaled"),
        ("Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Aziz", "Hamdan"),
    ),
    "persian": NameGroup(
        ("Shirin", "Leila", "Parisa", "Niloufar"),
        ("Reza", "Amir", "Dariush", "Kian"),
        ("Farahani", "Tehrani", "Rahimi", "Karimi", "Hosseini"),
    ),
    "indian": NameGroup(
        ("Priya", "Ananya", "Divya", "Kavya", "Meera", "Sneha", "Nisha", "Ishita", "Lakshmi"),
        ("Arjun", "Rohan", "Vikram", "Rahul", "Aditya", "Sanjay", "Karthik", "Nikhil", "Suresh"),
        ("Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Menon", "Chatterjee", "Desai",
         "Rao", "Krishnan", "Banerjee"),
    ),
    "pakistani": NameGroup(
        ("Aisha", "Fatima", "Sana", "Hira"),
        ("Imran", "Hassan", "Bilal", "Usman"),
        ("Khan", "Siddiqui", "Qureshi", "Malik", "Chaudhry"),
    ),
    "chinese": NameGroup(
        ("Mei", "Xinyi", "Lin", "Jing", "Yan", "Hui", "Xiaoling"),
        ("Wei", "Jun", "Hao", "Jian", "Lei", "Ming", "Zhiwei"),
        ("Chen", "Wang", "Li", "Zhang", "Liu", "Huang", "Zhou", "Wu"),
    ),
    "japanese": NameGroup(
        ("Yuki", "Haruka", "Sakura", "Aoi", "Mio"),
        ("Kenji", "Takumi", "Hiroshi", "Daichi", "Ren"),
        ("Tanaka", "Suzuki", "Watanabe", "Sato", "Takahashi", "Ito", "Nakamura"),
    ),
    "korean": NameGroup(
        ("Ji-woo", "Seo-yeon", "Yuna", "Min-ji", "Hae-won"),
        ("Min-jun", "Seung-ho", "Ji-hoon", "Dong-hyun", "Jae-won"),
        ("Kim", "Park", "Choi", "Lee", "Jung", "Kang", "Yoon"),
    ),
    "singaporean": NameGroup(
        ("Hui Min", "Shu Fen", "Jia Hui", "Wen Qi"),
        ("Wei Ming", "Jun Jie", "Kok Leong", "Zhi Hao"),
        ("Tan", "Lim", "Ng", "Ong", "Goh", "Teo", "Koh"),
    ),
    "malay": NameGroup(
        ("Siti", "Nurul", "Aisyah", "Farah"),
        ("Ahmad", "Hafiz", "Faizal", "Irfan"),
        ("Rahman", "Ismail", "Hassan", "Abdullah", "Yusof"),
    ),
    "vietnamese": NameGroup(
        ("Linh", "Thảo", "Trang", "Hương"),
        ("Minh", "Tuấn", "Huy", "Long"),
        ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng"),
    ),
    "filipino": NameGroup(
        ("Maria", "Angelica", "Kristine", "Joy"),
        ("Jose", "Mark", "Paolo", "Carlo"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza"),
    ),
    "indonesian": NameGroup(
        ("Ayu", "Dewi", "Putri", "Sari"),
        ("Budi", "Rizal", "Agus", "Dimas"),
        ("Wijaya", "Santoso", "Halim", "Gunawan", "Susanto"),
    ),
    "nigerian": NameGroup(
        ("Adaeze", "Chiamaka", "Ngozi", "Amara", "Folake", "Zainab", "Funmilayo"),
        ("Chinedu", "Emeka", "Tunde", "Oluwaseun", "Ibrahim", "Segun", "Obinna"),
        ("Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Adebayo", "Nwosu"),
    ),
    "ghanaian": NameGroup(
        ("Abena", "Efua", "Akosua", "Ama"),
        ("Kwame", "Kofi", "Yaw", "Kwabena"),
        ("Mensah", "Boateng", "Asante", "Owusu", "Appiah"),
    ),
    "latam": NameGroup(
        ("Valentina", "Camila", "Isabella", "Daniela", "Gabriela", "Sofía", "Luciana"),
        ("Santiago", "Mateo", "Diego", "Sebastián", "Andrés", "Felipe", "Rafael"),
        ("Hernández", "González", "Ramírez", "Torres", "Flores", "Castillo", "Morales"),
    ),
    "brazilian": NameGroup(
        ("Ana", "Larissa", "Fernanda", "Juliana"),
        ("Gustavo", "Thiago", "Leonardo", "Vinícius"),
        ("Oliveira", "Souza", "Rodrigues", "Lima", "Carvalho"),
    ),
}
# fmt: on

# Pronouns shown by people who chose to add them.
PRONOUNS_WOMEN = ("she/her", "she/her", "she/her", "she/they")
PRONOUNS_MEN = ("he/him", "he/him", "he/him", "he/they")
PRONOUNS_NONBINARY = "they/them"

HOBBIES = (
    "Weekends are for trail running and bad puns.",
    "Bakes sourdough and will share the starter.",
    "Learning the cello, slowly.",
    "Usually found on a bike somewhere wet.",
    "Board game collector; ask about the shelf.",
    "Cooks for too many people on Sundays.",
    "Parent of two and one very loud cat.",
    "Climbs at the bouldering gym twice a week.",
    "Reads science fiction on the commute.",
    "Volunteers at the local food bank.",
    "Amateur photographer of street food.",
    "Plays five-a-side football on Thursdays.",
    "Grows chillies on the balcony.",
    "Swims in cold water all year round.",
    "Learning Japanese one flashcard at a time.",
    "Runs the office book club.",
)

FOCUS = {
    "Engineering": (
        "keeping the product fast and reliable",
        "shipping small changes often",
        "making the on-call rota boring",
    ),
    "Product": (
        "talking to customers before building",
        "turning research into roadmaps",
        "making the product simple to use",
    ),
    "Marketing": (
        "telling Northwind's story",
        "growing the community",
        "making sure everyone hears the news first",
    ),
    "Sales": (
        "helping customers find the right plan",
        "building long partnerships",
        "opening new markets",
    ),
    "Customer Success": (
        "helping customers get value in week one",
        "answering tickets fast",
        "turning feedback into fixes",
    ),
    "People & Culture": (
        "hiring great colleagues",
        "making onboarding friendly",
        "helping managers grow",
    ),
    "Finance": ("keeping the numbers honest", "making expenses painless", "planning the next year"),
    "Operations": (
        "keeping laptops and offices working",
        "making processes lighter",
        "running the company's tools",
    ),
    "Legal": ("keeping contracts readable", "privacy by design", "helping teams say yes safely"),
    "Executive": (
        "the long-term plan",
        "keeping the leadership team in sync",
        "making the week run smoothly",
    ),
}
