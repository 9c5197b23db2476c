"""The model records and enums the edges may name: the types services hand them and the roles pages render.

Edges reach the models only through services (the import-linter contracts in pyproject.toml); a handler that
needs a record's type for a signature, or a role to compare and label, imports it from here. Queries stay in
the services.
"""

from models.customs_accounts import CustomsAccount as CustomsAccount
from models.customs_accounts import CustomsRole as CustomsRole
from models.declaration_exceptions import ExceptionKind as ExceptionKind
from models.declaration_exceptions import ExceptionStatus as ExceptionStatus
from models.declarations import Declaration as Declaration
from models.declarations import DeclarationKind as DeclarationKind
from models.declarations import MarkState as MarkState
from models.enterprises import Enterprise as Enterprise
from models.enterprises import MemberRole as MemberRole
from models.enterprises import Membership as Membership
from models.enterprises import Person as Person
from models.questions import Question as Question
from models.registrations import Registration as Registration
from models.registrations import RegistrationChannel as RegistrationChannel
